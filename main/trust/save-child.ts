// Child process for the kill-mid-save test: saves a large topology over and over with atomicWriteFile, reporting each finished save.
import { writeFile } from 'node:fs/promises';
import { atomicWriteFile } from '../files';
import { serializeTopology } from '../../app/model/file';
import { FORMAT_VERSION, Topology } from '../../app/model/schema';

const [target, sitesArg, mode] = process.argv.slice(2);
if (!target) throw new Error('usage: save-child TARGET [SITES] [--in-place]');
const sites = Number(sitesArg ?? 10000);
// The control: writing in place, as a naive save would, so the test shows it can catch a torn file.
const save = mode === '--in-place' ? (file: string, text: string) => writeFile(file, text, 'utf8') : atomicWriteFile;

// A few MB of valid document; the generation sits in the description so every save differs.
const base = Topology.parse({
  formatVersion: FORMAT_VERSION,
  name: 'kill-test',
  description: 'generation 0',
  sites: Array.from({ length: sites }, (_, i) => ({ id: `site-${i}`, name: `Site number ${i} with a longish name`, xKm: i, yKm: -i })),
});

async function loop(): Promise<never> {
  for (let generation = 1; ; generation++) {
    await save(target!, serializeTopology({ ...base, description: `generation ${generation}` }));
    // Written only after rename returned: from here on the parent may rely on this generation being on disk.
    process.stdout.write(`saved ${generation}\n`);
  }
}
process.stdout.write('ready\n');
void loop();
