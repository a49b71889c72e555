// The built-in topologies as the tests load them (one loader instead of one per test file).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTopologyText } from '../app/model/file';
import { formatProblem } from '../app/model/problem';
import type { Topology } from '../app/model/schema';

export const BUILT_IN_DIR = join(__dirname, '../assets/topologies');

/** The built-in topology file names (*.relaylab.json), sorted. */
export function builtInFiles(): string[] {
  return readdirSync(BUILT_IN_DIR)
    .filter((f) => f.endsWith('.relaylab.json'))
    .sort();
}

/** The raw text of a file in assets/topologies (a topology or index.json), for tests about the bytes or the raw JSON. */
export function builtInText(file: string): string {
  return readFileSync(join(BUILT_IN_DIR, file), 'utf8');
}

/** One built-in topology, parsed; throws naming the file and its problems if it does not load. */
export function loadBuiltIn(file: string): Topology {
  const r = parseTopologyText(builtInText(file));
  if (!r.ok) throw new Error(`${file} does not load: ${r.problems.map(formatProblem).join('; ')}`);
  return r.topology;
}

/** The embodiment whose file name starts with prefix ('fig01', 'fig12'), not FIG. 1's delta-resync or exercise variants. */
export function loadFigure(prefix: string): Topology {
  const file = builtInFiles().find((f) => f.startsWith(prefix) && !f.includes('-delta-resync') && !f.includes('-exercise-'));
  if (!file) throw new Error(`no built-in topology starts with ${prefix}`);
  return loadBuiltIn(file);
}

/** Every built-in topology, parsed, in file-name order; a file that does not load throws. */
export function loadBuiltIns(): { file: string; topology: Topology }[] {
  return builtInFiles().map((file) => ({ file, topology: loadBuiltIn(file) }));
}
