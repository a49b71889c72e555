// Array identifiers the exports need but a design may leave out: a storage system's serial number and a volume's LDEV number, derived when absent.
import type { Topology } from '../model/schema';

/** The first derived serial number; Hitachi's VSP 5000 serials are six digits (a model digit and the five-digit serial). */
export const FIRST_DERIVED_SERIAL = 410001;
/** Derived LDEV numbers start at CU 01 (CU 00 usually holds command devices and pool volumes). */
export const FIRST_DERIVED_LDEV = 0x0100;

/**
 * Serial number of every storage system: its own `serialNumber`, else the next number from FIRST_DERIVED_SERIAL not
 * taken by any system, in document order. The same topology always gives the same numbers.
 */
export function serialNumbers(t: Topology): Map<string, number> {
  const used = new Set(t.systems.map((s) => s.serialNumber).filter((n): n is number => n !== undefined));
  const out = new Map<string, number>();
  let next = FIRST_DERIVED_SERIAL;
  for (const s of t.systems) {
    if (s.serialNumber !== undefined) {
      out.set(s.id, s.serialNumber);
      continue;
    }
    while (used.has(next)) next++;
    used.add(next);
    out.set(s.id, next);
  }
  return out;
}

/** LDEV number of every volume: its own `ldevId`, else the next free number of its system from FIRST_DERIVED_LDEV, in document order. */
export function ldevIds(t: Topology): Map<string, number> {
  const usedBySystem = new Map<string, Set<number>>();
  for (const v of t.volumes) {
    if (v.ldevId === undefined) continue;
    const used = usedBySystem.get(v.systemId) ?? new Set<number>();
    used.add(v.ldevId);
    usedBySystem.set(v.systemId, used);
  }
  const nextBySystem = new Map<string, number>();
  const out = new Map<string, number>();
  for (const v of t.volumes) {
    if (v.ldevId !== undefined) {
      out.set(v.id, v.ldevId);
      continue;
    }
    const used = usedBySystem.get(v.systemId) ?? new Set<number>();
    usedBySystem.set(v.systemId, used);
    let next = nextBySystem.get(v.systemId) ?? FIRST_DERIVED_LDEV;
    while (used.has(next)) next++;
    used.add(next);
    nextBySystem.set(v.systemId, next + 1);
    out.set(v.id, next);
  }
  return out;
}

/** CCI's CU:LDEV notation, e.g. 0x0120 -> "01:20". */
export function formatCuLdev(ldev: number): string {
  const hex = ldev.toString(16).toUpperCase().padStart(4, '0');
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}`;
}

/** Parses CCI's LDEV notations: "01:20" (CU:LDEV, hex), "0x120" (hex) or "288" (decimal). Undefined when it is none of them or out of range. */
export function parseLdev(text: string): number | undefined {
  let n: number;
  if (/^[0-9a-fA-F]{1,2}:[0-9a-fA-F]{1,2}$/.test(text)) {
    const [cu, ldev] = text.split(':') as [string, string];
    n = parseInt(cu, 16) * 256 + parseInt(ldev, 16);
  } else if (/^0x[0-9a-fA-F]{1,4}$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^\d{1,5}$/.test(text)) n = Number(text);
  else return undefined;
  return n >= 0 && n <= 0xffff ? n : undefined;
}
