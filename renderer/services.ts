// The one door from the designer to main: the RelayLab API when renderer/api is present, or null in a plain browser build.
import type { RelayLabApi } from '../app/ipc/contract';

// import.meta.glob resolves to {} while renderer/api/index.ts does not exist yet, so the build never breaks on it.
const apiModules = import.meta.glob<{ getApi(): RelayLabApi }>('./api/index.ts');

let cached: Promise<RelayLabApi | null> | null = null;

/** The API object, or null when this build has no transport (then the designer works offline with upload/download). */
export function api(): Promise<RelayLabApi | null> {
  if (!cached) {
    const load = apiModules['./api/index.ts'];
    cached = load
      ? load()
          .then((m) => m.getApi())
          .catch(() => null)
      : Promise.resolve(null);
  }
  return cached;
}

/** 'desktop' when main offers native file dialogs, otherwise 'web'. */
export async function appMode(): Promise<'desktop' | 'web'> {
  const a = await api();
  if (!a) return 'web';
  if (!mode) {
    // A browser build served without the RelayLab server never answers: give up quickly and work offline.
    const timeout = new Promise<'web'>((resolve) => setTimeout(() => resolve('web'), 2000));
    mode = Promise.race([a.call('app.info', {}).then((i) => i.mode).catch(() => 'web' as const), timeout]);
  }
  return mode;
}

let mode: Promise<'desktop' | 'web'> | null = null;
