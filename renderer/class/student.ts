// A student's side of class mode: join with a name, open and run what the instructor pushes, show their notices, report exercise results.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { ExerciseResult, type RelayLabApi } from '../../app/ipc/contract';
import { parseTopologyValue } from '../../app/model/file';
import { onConnectionChange, onConnectionEnded } from '../api/index';
import { api } from '../services';
import { documentStore } from '../store/document';
import { ensureLoaded, modelKey } from '../live/controller';
import { liveStore } from '../live/store';

const NAME_STORAGE = 'relaylab.className';

export interface ClassStudentState {
  /** This page is a student of a class (the server runs class mode). */
  inClass: boolean;
  /** The name they joined with; null while the name prompt is up. */
  name: string | null;
  joining: boolean;
  error: string | null;
  /** The server ended this tab's session (opened in another tab). */
  ended: string | null;
  /** The instructor's last word (a fault fired, a topology sent), kept on screen under the badge: a toast is easy to miss. */
  notice: { text: string; atMs: number } | null;
}

export const classStudentStore = createStore<ClassStudentState>()(() => ({ inClass: false, name: null, joining: false, error: null, ended: null, notice: null }));

export function useClassStudent<T>(selector: (s: ClassStudentState) => T): T {
  return useStore(classStudentStore, selector);
}

let classApi: RelayLabApi | null = null;

/** Asks the server whether it runs a class; if so, rejoins with the name this tab used, or leaves the prompt up. */
export async function startClassStudent(): Promise<void> {
  const a = await api();
  if (!a) return;
  const info = await a.call('app.info', {}).catch(() => null);
  if (info?.classRole !== 'student') return;
  classApi = a;
  a.on('class.pushed', ({ name, topology }) => void openPushed(name, topology));
  a.on('class.notice', ({ text }) => tell(text));
  const saved = sessionStorage.getItem(NAME_STORAGE);
  classStudentStore.setState({ inClass: true, name: null });
  if (saved) await joinClass(saved);
  // The server keeps the session through a short drop; after a long one it has forgotten the name: say it again.
  let wasDown = false;
  onConnectionChange((connected) => {
    if (!connected) wasDown = true;
    else if (wasDown && classStudentStore.getState().name) void joinClass(classStudentStore.getState().name ?? '');
  });
  onConnectionEnded((reason) => classStudentStore.setState({ ended: reason }));
}

/** Joins the class under this name (the prompt's submit, and every rejoin). */
export async function joinClass(name: string): Promise<boolean> {
  const trimmed = name.trim();
  if (!classApi || !trimmed) return false;
  classStudentStore.setState({ joining: true, error: null });
  try {
    const joined = await classApi.call('class.join', { name: trimmed });
    sessionStorage.setItem(NAME_STORAGE, trimmed);
    classStudentStore.setState({ name: trimmed, joining: false });
    if (joined.resume) await resume(classApi, joined.resume.topology);
    return true;
  } catch (e) {
    classStudentStore.setState({ joining: false, error: e instanceof Error ? e.message : String(e) });
    return false;
  }
}

/**
 * A reloaded page whose session engine still runs a topology takes that run back (document, clock, pair states)
 * rather than starting over; a page that already runs something of its own keeps it.
 */
async function resume(a: RelayLabApi, raw: unknown): Promise<void> {
  if (liveStore.getState().loadedKey !== null) return;
  const loaded = parseTopologyValue(raw);
  if (!loaded.ok) return;
  documentStore.getState().load(loaded.topology, null);
  liveStore.getState().loaded(modelKey(documentStore.getState().doc), [], true);
  liveStore.getState().ingest(await a.call('engine.snapshot', {}));
  documentStore.getState().notify(`Welcome back: your run of “${loaded.topology.name}” carried on where you left it.`, 'info');
}

/** The instructor's topology replaces the student's document and is loaded into their engine, ready to play. */
async function openPushed(name: string, raw: unknown): Promise<void> {
  const loaded = parseTopologyValue(raw);
  if (!loaded.ok) {
    documentStore.getState().notify(`Your instructor sent ${name}, but it does not open here: ${loaded.problems[0]?.message ?? 'invalid'}`, 'error');
    return;
  }
  documentStore.getState().load(loaded.topology, null);
  await ensureLoaded(true);
  if (loaded.topology.scenario?.exercises.length) liveStore.getState().setTab('exercise');
  tell(`Your instructor sent “${name}”: press Play to run it.`);
}

function tell(text: string): void {
  documentStore.getState().notify(text, 'info');
  classStudentStore.setState({ notice: { text, atMs: Date.now() } });
}

/** Tells the instructor the result of the student's exercise check (the Exercise panel's verdict, as shown). */
export function reportExercise(verdict: ExerciseResult): void {
  if (!classApi || !classStudentStore.getState().name) return;
  const exercise: ExerciseResult = ExerciseResult.parse(verdict);
  classApi.call('class.report', { exercise }).catch((e: unknown) => documentStore.getState().notify(`Could not send your result to the instructor: ${e instanceof Error ? e.message : String(e)}`, 'error'));
}
