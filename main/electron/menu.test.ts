// Every desktop menu item must name a command the renderer has: a renamed command would otherwise make a menu item do nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const here = path.dirname(new URL(import.meta.url).pathname);

it('the menu sends only actions the renderer handles', () => {
  const menuActions = [...readFileSync(path.join(here, 'main.ts'), 'utf8').matchAll(/action\('([A-Za-z]+)'\)/g)].map((m) => m[1]);
  expect(menuActions.length).toBeGreaterThan(10);
  const commandsSource = readFileSync(path.join(here, '../../renderer/commands.ts'), 'utf8');
  const commandNames = new Set([...commandsSource.matchAll(/^ {2}([A-Za-z]+)(?:: |\()/gm)].map((m) => m[1]));
  // 'templates' opens the gallery, which App.tsx handles beside the commands.
  const appSource = readFileSync(path.join(here, '../../renderer/App.tsx'), 'utf8');
  const unknown = menuActions.filter((a) => !commandNames.has(a) && !appSource.includes(`action === '${a}'`));
  expect(unknown).toEqual([]);
});
