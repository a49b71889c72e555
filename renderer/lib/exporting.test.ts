// Export helpers: data URLs decode without fetch (the CSP forbids it), file names are safe, tables CSV covers every system.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { parseTopologyText } from '../../app/model/file';
import { dataUrlToBlob, tablesCsv } from './exporting';
import { fileNameFor } from './files';

describe('export helpers', () => {
  it('decodes base64 and plain data URLs', async () => {
    const b = dataUrlToBlob('data:image/png;base64,' + Buffer.from('PNGDATA').toString('base64'));
    expect(b.type).toBe('image/png');
    expect(await b.text()).toBe('PNGDATA');
    const s = dataUrlToBlob('data:image/svg+xml;charset=utf-8,' + encodeURIComponent('<svg a="1"/>'));
    expect(s.type).toBe('image/svg+xml');
    expect(await s.text()).toBe('<svg a="1"/>');
  });

  it('names files after the topology with safe characters', () => {
    const r = parseTopologyText(JSON.stringify({ formatVersion: 1, name: 'FIG. 1: cascade / relay' }));
    if (!r.ok) throw new Error('fixture');
    expect(fileNameFor(r.topology)).toBe('FIG.-1-cascade-relay.relaylab.json');
  });

  it('writes T1-T4 of every system of FIG. 1 as one CSV', () => {
    const csv = tablesCsv(loadBuiltIn('fig01-loop-cascade.relaylab.json'));
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^table,system,/);
    expect(lines.some((l) => l.startsWith('T1,sys20,'))).toBe(true);
    expect(lines.some((l) => l.startsWith('T4,sys20,'))).toBe(true);
  });
});
