import { describe, expect, it } from 'vitest';
import { doubleFields, withDoubleFields } from './double-fields';

describe('doubleFields', () => {
  it('leaves every value as it was (numbers, undefined) and touches no other field', () => {
    const o = { a: 0, b: 7, c: undefined as number | undefined, d: 'x' };
    doubleFields(o, 'a', 'b', 'c');
    expect(o).toEqual({ a: 0, b: 7, c: undefined, d: 'x' });
    expect(Object.keys(o)).toEqual(['a', 'b', 'c', 'd']);
    expect(Object.is(o.a, 0)).toBe(true);
  });

  it('withDoubleFields hands back the same record', () => {
    const r = { startedUs: 0 };
    expect(withDoubleFields(r, 'startedUs')).toBe(r);
  });
});
