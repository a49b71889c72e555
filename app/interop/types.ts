// What the exporters and importers take and give: plain strings keyed by file name, notes, located import errors.
import type { Problem } from '../model/problem';
import type { Topology } from '../model/schema';

/** File name (no directory) -> text. */
export type FileMap = Record<string, string>;

export interface ExportResult {
  files: FileMap;
  /** What did not map, one sentence each (also written into the files' header comments). */
  notes: string[];
}

/** Where in which input file an import failed, and what was expected there. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly expected: string,
  ) {
    super(`${file}:${line}: ${expected}`);
  }
}

export type ImportResult =
  | {
      ok: true;
      /** The built topology, without stored positions: the caller lays it out (renderer/lib/autolayout.ts, elkjs). */
      topology: Topology;
      /** What the source did not say and was set to a stated default, located on the element, for the Problems tab. */
      warnings: Problem[];
    }
  | { ok: false; errors: ImportError[] };

/** Input files bigger than this are refused (a configuration is kilobytes; a hostile file is not read into the parser). */
export const MAX_IMPORT_FILE_BYTES = 4 * 1024 * 1024;
/** Elements an import may create per list, so a hostile file cannot make a topology the app cannot draw. */
export const MAX_IMPORT_ELEMENTS = 5000;

/** Splits text into lines (any newline convention), 1-based numbers come from the index. */
export function linesOf(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

/** User text inside a generated comment: one line (a line break would end the comment and start a command), no quotes. */
export function commentSafe(text: string): string {
  return text.replace(/["\r\n\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
}
