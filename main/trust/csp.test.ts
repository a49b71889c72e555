// The page's own CSP (meta tag, also what Electron's file:// page gets) must not be looser than the web server's header.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEB_CSP } from '../server';

function directives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values.sort());
  }
  return out;
}

const html = readFileSync(path.join(__dirname, '../../renderer/index.html'), 'utf8');
const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';

describe('content security policy of the renderer page', () => {
  it('has a meta CSP', () => {
    expect(meta).not.toBe('');
  });

  it('matches the web server header directive for directive (frame-ancestors is header-only)', () => {
    const header = directives(WEB_CSP);
    header.delete('frame-ancestors');
    expect(Object.fromEntries(directives(meta))).toEqual(Object.fromEntries(header));
  });

  it('lets the page connect only to its own origin: no ws:/wss:/http: scheme wildcards', () => {
    for (const policy of [meta, WEB_CSP]) {
      expect(directives(policy).get('connect-src')).toEqual(["'self'"]);
      expect(policy).not.toMatch(/\b(ws|wss|http|https):(?=[\s;]|$)/);
    }
  });
});
