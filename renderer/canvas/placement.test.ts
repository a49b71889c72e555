// An LU dropped on a port goes beside the port, inside the system, not on top of it.
import { describe, expect, it } from 'vitest';
import { luSpotBesidePort } from './placement';

const system = { x: 100, y: 50, w: 500, h: 300 };
const lu = { w: 120, h: 36 };
const overlaps = (a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('placing an LU dropped on a port', () => {
  it('puts it level with a target port on the left edge, on the inside, clear of the port', () => {
    const port = { x: 100, y: 110, w: 70, h: 26 };
    const at = luSpotBesidePort(port, system, lu, []);
    expect(at.x).toBeGreaterThanOrEqual(port.x + port.w);
    expect(at.y + lu.h / 2).toBe(port.y + port.h / 2);
    expect(overlaps({ ...at, ...lu }, port)).toBe(false);
    expect(at.x + lu.w).toBeLessThanOrEqual(system.x + system.w);
  });

  it('puts it on the left of a port on the right edge', () => {
    const port = { x: 530, y: 200, w: 70, h: 26 };
    const at = luSpotBesidePort(port, system, lu, []);
    expect(at.x + lu.w).toBeLessThanOrEqual(port.x);
  });

  it('steps past an LU already beside the port instead of covering it', () => {
    const port = { x: 100, y: 110, w: 70, h: 26 };
    const first = luSpotBesidePort(port, system, lu, []);
    const second = luSpotBesidePort(port, system, lu, [{ ...first, ...lu }]);
    expect(overlaps({ ...second, ...lu }, { ...first, ...lu })).toBe(false);
    expect(second.x).toBeGreaterThan(first.x);
  });
});
