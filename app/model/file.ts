// Reading and writing *.relaylab.json: size and depth guards, version migrations, schema parse with located messages.
import { FORMAT_VERSION, Topology } from './schema';
import { ISSUE_WORDING, type Problem } from './problem';

/** Files above this are refused before parsing (a topology of 100,000 elements is ~30 MB). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_NESTING_DEPTH = 64;
/**
 * Longest element list read. The schema would otherwise check (and report on) every entry of a list of a
 * million junk values, which takes many seconds; a real topology has a few thousand elements.
 */
export const MAX_LIST_LENGTH = 250_000;

export type LoadResult = { ok: true; topology: Topology; migratedFrom?: number } | { ok: false; problems: Problem[] };

/** Upgrades a raw document from `version` to `version + 1`. Keyed by the version it upgrades from. */
export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;
export const MIGRATIONS: Record<number, Migration> = {
  // Version 0 was the pre-release sketch: a single `elements` list is not supported; only the version field changed.
  0: (doc) => ({ ...doc, formatVersion: 1 }),
  // Version 2: a scenario holds several exercises, each with points, end conditions as a list and hints.
  1: (doc) => ({ ...doc, formatVersion: 2, ...(isRecord(doc.scenario) ? { scenario: migrateScenario1(doc.scenario) } : {}) }),
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Version 1's `scenario.exercise` ({ task, requiredEvents, inOrder, expectPairStates, forbidFullCopy }) becomes the one
 * entry of `scenario.exercises`: the events are kept, the expected pair states and the no-full-copy rule become end
 * conditions. Anything of the wrong shape is carried over as it is, for the schema to report where it is.
 */
export function migrateScenario1(scenario: Record<string, unknown>): Record<string, unknown> {
  const { exercise, ...rest } = scenario;
  if (exercise === undefined) return rest;
  if (!isRecord(exercise)) return scenario;
  const { expectPairStates, forbidFullCopy, requiredEvents, ...kept } = exercise;
  const atEnd: unknown[] = [];
  if (isRecord(expectPairStates)) for (const [pairId, state] of Object.entries(expectPairStates)) atEnd.push({ check: 'pairState', pairId, state });
  else if (expectPairStates !== undefined) return scenario;
  if (forbidFullCopy === true) atEnd.push({ check: 'noFullCopy' });
  return { ...rest, exercises: [{ ...kept, ...(requiredEvents !== undefined ? { mustHappen: requiredEvents } : {}), atEnd }] };
}

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
  // Editors on Windows may start the file with a byte order mark, which JSON.parse refuses.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    // V8 names the position only for some errors, so find it ourselves and say line and column.
    const at = jsonErrorOffset(body);
    const where = at >= body.length ? `at the end of the file (line ${lineColumn(body, at)})` : `at line ${lineColumn(body, at)} (character ${at})`;
    // V8 quotes a piece of the text, newlines and all; keep the message on one line.
    const detail = (e as Error).message.replace(/[\u0000-\u001f\u2028\u2029]+/g, ' ').slice(0, 200);
    return fail('not-json', `not valid JSON ${where}: ${detail}`);
  }
  return parseTopologyValue(raw);
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  return `${line}, column ${offset - lineStart + 1}`;
}

/** Offset of the first JSON syntax error in `text` (text.length when it ends too early). Only called after JSON.parse failed. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  class Stop {
    constructor(readonly at: number) {}
  }
  const expect = (ok: boolean) => {
    if (!ok) throw new Stop(i);
  };
  const string = () => {
    expect(text[i] === '"');
    i++;
    for (;;) {
      expect(i < text.length);
      const c = text.charCodeAt(i);
      if (c === 34) return void i++;
      expect(c >= 0x20);
      if (c === 92) {
        i++;
        expect(i < text.length);
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) {
            i++;
            expect(i < text.length && /[0-9a-fA-F]/.test(text[i]!));
          }
        } else expect('"\\/bfnrt'.includes(text[i]!));
      }
      i++;
    }
  };
  const number = () => {
    // Take the longest run that could start a number, then check it; a run cut off by the end of the file is an early end.
    const run = /^[-+0-9.eE]*/.exec(text.slice(i, i + 400))![0];
    const strict = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(run)?.[0] ?? '';
    if (strict.length === run.length && run.length > 0) return void (i += run.length);
    if (i + run.length >= text.length && /^-?(\d+(\.\d*)?([eE][+-]?\d*)?)?$/.test(run)) throw new Stop(text.length);
    throw new Stop(i + strict.length);
  };
  const value = (): void => {
    ws();
    expect(i < text.length);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        string();
        ws();
        expect(text[i] === ':');
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else {
          expect(text[i] === '}');
          return void i++;
        }
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else {
          expect(text[i] === ']');
          return void i++;
        }
      }
    } else if (c === '"') string();
    else if (c === 't' || c === 'f' || c === 'n') {
      const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
      for (const ch of word) {
        expect(text[i] === ch);
        i++;
      }
    } else number();
  };
  try {
    value();
    ws();
    expect(i >= text.length);
    return text.length;
  } catch (e) {
    if (e instanceof Stop) return e.at;
    // The nesting guard ran first, so recursion here stays shallow; anything else is a bug worth seeing.
    throw e;
  }
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
  for (const [key, value] of Object.entries(doc))
    if (Array.isArray(value) && value.length > MAX_LIST_LENGTH)
      return fail('list-too-long', `${key} has ${value.length} entries; the limit is ${MAX_LIST_LENGTH}`, [key]);
  for (let v = version; v < FORMAT_VERSION; v++) {
    const migrate = MIGRATIONS[v];
    if (!migrate) return fail('no-migration', `no migration from formatVersion ${v}`, ['formatVersion']);
    doc = migrate(doc);
  }
  const parsed = Topology.safeParse(doc, ISSUE_WORDING);
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
