// The built-in topologies as the tests load them (one loader instead of one per test file).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTopologyText } from '../app/model/file';
import type { Topology } from '../app/model/schema';

export const BUILT_IN_DIR = join(__dirname, '../assets/topologies');

/** Every assets/topologies/*.relaylab.json, parsed, in file-name order; a file that does not load throws. */
export function loadBuiltIns(): { file: string; topology: Topology }[] {
  return readdirSync(BUILT_IN_DIR)
    .filter((f) => f.endsWith('.relaylab.json'))
    .sort()
    .map((file) => {
      const r = parseTopologyText(readFileSync(join(BUILT_IN_DIR, file), 'utf8'));
      if (!r.ok) throw new Error(`${file} does not load`);
      return { file, topology: r.topology };
    });
}
