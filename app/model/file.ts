// Reading and writing *.relaylab.json: size and depth guards, version migrations, schema parse with located messages.
import { FORMAT_VERSION, Topology } from './schema';
import type { Problem } from './problem';

/** Files above this are refused before parsing (a topology of 100,000 elements is ~30 MB). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_NESTING_DEPTH = 64;

export type LoadResult = { ok: true; topology: Topology; migratedFrom?: number } | { ok: false; problems: Problem[] };

/** Upgrades a raw document from `version` to `version + 1`. Keyed by the version it upgrades from. */
export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;
export const MIGRATIONS: Record<number, Migration> = {
  // Version 0 was the pre-release sketch: a single `elements` list is not supported; only the version field changed.
  0: (doc) => ({ ...doc, formatVersion: 1 }),
};

const fail = (code: string, message: string, path: (string | number)[] = []): LoadResult => ({
  ok: false,
  problems: [{ severity: 'error', code, message, path }],
});

function depthExceeds(text: string, limit: number): { at: number } | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return { at: i };
    } else if (c === 125 || c === 93) depth--;
  }
  return null;
}

/** Parses file text into a topology, migrating older versions; never throws. */
export function parseTopologyText(text: string): LoadResult {
  if (text.length > MAX_FILE_BYTES) return fail('file-too-large', `the file is ${text.length} bytes; the limit is ${MAX_FILE_BYTES}`);
  const deep = depthExceeds(text, MAX_NESTING_DEPTH);
  if (deep) return fail('too-deep', `nesting deeper than ${MAX_NESTING_DEPTH} levels at character ${deep.at}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail('not-json', `not valid JSON: ${(e as Error).message}`);
  }
  return parseTopologyValue(raw);
}

/** Validates an already-parsed JSON value as a topology document, migrating older versions. */
export function parseTopologyValue(raw: unknown): LoadResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not-object', 'a topology file holds one JSON object');
  let doc = raw as Record<string, unknown>;
  const version = doc.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0)
    return fail('no-version', 'formatVersion is missing or not a whole number', ['formatVersion']);
  if (version > FORMAT_VERSION)
    return fail(
      'newer-version',
      `this file is formatVersion ${version}, written by a newer RelayLab; this version reads up to ${FORMAT_VERSION}. Update RelayLab to open it.`,
      ['formatVersion'],
    );
  for (let v = version; v < FORMAT_VERSION; v++) {
    const migrate = MIGRATIONS[v];
    if (!migrate) return fail('no-migration', `no migration from formatVersion ${v}`, ['formatVersion']);
    doc = migrate(doc);
  }
  const parsed = Topology.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.slice(0, 200).map((issue) => ({
        severity: 'error' as const,
        code: `schema-${issue.code}`,
        message: issue.message,
        path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      })),
    };
  }
  return version < FORMAT_VERSION ? { ok: true, topology: parsed.data, migratedFrom: version } : { ok: true, topology: parsed.data };
}

/** Serialises a topology the same way every time (two-space indent, trailing newline) so files diff well. */
export function serializeTopology(topology: Topology): string {
  return JSON.stringify(topology, null, 2) + '\n';
}
