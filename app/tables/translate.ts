// Address translation through a mapping stack (LU -> V12 -> R2 -> V21 -> R1 -> external LU -> its real volume), and what is stacked on a volume.
import type { Topology } from '../model/schema';
import { indexTopology, ownerSystemId, sizeBytesOf } from '../model/index-topology';
import type { ElementKind } from '../model/index-topology';

/** One element an address range passes through, with the range in that element's own address space. */
export interface TranslateHop {
  elementId: string;
  kind: ElementKind;
  systemId: string;
  offsetBytes: number;
  lengthBytes: number;
  /** 0 for the element asked about; +1 for each mapping below it. */
  depth: number;
}

/** Why an address could not be translated, and at which element. */
export class TranslateError extends Error {
  override readonly name = 'TranslateError';
  constructor(
    readonly elementId: string,
    readonly reason: 'unknown-element' | 'out-of-range' | 'cycle' | 'not-addressable' | 'too-complex',
    detail: string,
  ) {
    super(`${elementId}: ${detail}`);
  }
}

/** Stacks deeper than this are refused (a real stack is a handful of levels). */
const MAX_DEPTH = 64;
/**
 * A walk visiting more hops than this is refused: stacks whose pieces each map the whole of the level
 * below (marked shared) double the hops per level, so a hostile file of a few KB would otherwise hang.
 */
export const MAX_TRANSLATE_HOPS = 100_000;

function guardVisit(id: string, onStack: ReadonlySet<string>, depth: number, hops: number, maxHops = MAX_TRANSLATE_HOPS): void {
  if (onStack.has(id)) throw new TranslateError(id, 'cycle', 'the mapping stack loops back onto itself');
  if (depth > MAX_DEPTH) throw new TranslateError(id, 'too-complex', `the mapping stack is deeper than ${MAX_DEPTH} levels`);
  if (hops >= maxHops) throw new TranslateError(id, 'too-complex', `the mapping stack branches into more than ${maxHops} pieces`);
}

/**
 * Every hop a byte range of a volume or LU takes down its mapping stack, depth first, splitting
 * the range where it crosses the pieces of a virtual volume. A virtual real volume is followed
 * through its path's LU when it has one (FIG. 1's loop) and straight to its aliased volume otherwise;
 * an external real volume is followed to the external system's LU. Leaves are internal real volumes.
 * Throws TranslateError for unknown elements, ranges beyond an element's end, and cycles.
 */
export function translate(t: Topology, fromId: string, offsetBytes: number, lengthBytes: number, maxHops = MAX_TRANSLATE_HOPS): TranslateHop[] {
  const ix = indexTopology(t);
  const hops: TranslateHop[] = [];
  const onStack = new Set<string>();

  const visit = (id: string, offset: number, length: number, depth: number): void => {
    guardVisit(id, onStack, depth, hops.length, maxHops);
    const size = sizeBytesOf(t, id);
    const lu = ix.lus.get(id);
    const volume = ix.volumes.get(id);
    if (!lu && !volume) throw new TranslateError(id, ix.byId.has(id) ? 'not-addressable' : 'unknown-element', 'not a volume or LU');
    if (size === undefined) throw new TranslateError(id, 'cycle', 'its size depends on itself (alias cycle)');
    if (offset < 0 || length <= 0 || offset + length > size)
      throw new TranslateError(id, 'out-of-range', `bytes ${offset}..${offset + length} lie outside its ${size} bytes`);
    const kind: ElementKind = lu
      ? 'lu'
      : volume!.kind === 'real'
        ? 'realVolume'
        : volume!.kind === 'virtual'
          ? 'virtualVolume'
          : 'virtualRealVolume';
    hops.push({ elementId: id, kind, systemId: ownerSystemId(t, id) ?? '', offsetBytes: offset, lengthBytes: length, depth });
    onStack.add(id);
    if (lu) visit(lu.volumeId, lu.startBytes + offset, length, depth + 1);
    else if (volume!.kind === 'virtual') {
      let pieceStart = 0;
      const end = offset + length;
      for (const range of volume!.ranges) {
        const pieceEnd = pieceStart + range.lengthBytes;
        const from = Math.max(offset, pieceStart);
        const to = Math.min(end, pieceEnd);
        if (from < to) visit(range.lowerId, range.startBytes + (from - pieceStart), to - from, depth + 1);
        pieceStart = pieceEnd;
        if (pieceStart >= end) break;
      }
    } else if (volume!.kind === 'virtualReal') {
      visit(volume!.path ? volume!.path.luId : volume!.aliasOfId, offset, length, depth + 1);
    } else if (volume!.backing.type === 'external') {
      visit(volume!.backing.luId, offset, length, depth + 1);
    }
    onStack.delete(id);
  };

  visit(fromId, offsetBytes, lengthBytes, 0);
  return hops;
}

/** The internal real volumes (physical storage) a byte range finally lands on. */
export function physicalExtents(t: Topology, fromId: string, offsetBytes: number, lengthBytes: number): TranslateHop[] {
  const ix = indexTopology(t);
  return translate(t, fromId, offsetBytes, lengthBytes).filter((h) => {
    const v = ix.volumes.get(h.elementId);
    return v?.kind === 'real' && v.backing.type === 'internal';
  });
}

/** Elements directly on top of a volume or LU: virtual volumes mapping it, aliases of it, LUs exposing it, and real volumes backed by it (an external LU). */
export function directlyAbove(t: Topology, id: string): string[] {
  const ix = indexTopology(t);
  const out: string[] = [];
  for (const v of ix.upperByLower.get(id) ?? []) out.push(v.id);
  for (const v of ix.aliasesOf.get(id) ?? []) out.push(v.id);
  for (const l of ix.lusByVolume.get(id) ?? []) out.push(l.id);
  // External real volumes backed by this LU, and virtual real volumes reached through it (FIG. 1's loop).
  for (const v of ix.volumesOnLu.get(id) ?? []) if (!out.includes(v.id)) out.push(v.id);
  return out;
}

/**
 * Everything stacked on a volume (or LU), transitively: virtual volumes, virtual real volumes,
 * LUs, and real volumes of other systems backed by those LUs. Breadth first, without the volume itself.
 * Virtual volumes sharing a real volume both appear in that real volume's list.
 */
export function volumesAbove(t: Topology, volumeId: string): string[] {
  const seen = new Set<string>([volumeId]);
  const out: string[] = [];
  const queue = [volumeId];
  for (let head = 0; head < queue.length; head++) {
    for (const up of directlyAbove(t, queue[head]!)) {
      if (seen.has(up)) continue;
      seen.add(up);
      out.push(up);
      queue.push(up);
    }
  }
  return out;
}

/**
 * The inverse of `translate`: every element stacked on a byte range of a volume or LU, with the range
 * in that element's own address space (depth counts levels upwards). Only elements whose address space
 * covers some of those bytes appear; a piece crossing the range is cut to the overlap.
 */
export function translateUp(t: Topology, lowerId: string, offsetBytes: number, lengthBytes: number): TranslateHop[] {
  const ix = indexTopology(t);
  const hops: TranslateHop[] = [];
  const onStack = new Set<string>();
  const kindOf = (id: string): ElementKind => {
    if (ix.lus.has(id)) return 'lu';
    const v = ix.volumes.get(id);
    return v?.kind === 'real' ? 'realVolume' : v?.kind === 'virtual' ? 'virtualVolume' : 'virtualRealVolume';
  };
  const visit = (id: string, offset: number, length: number, depth: number): void => {
    guardVisit(id, onStack, depth, hops.length);
    hops.push({ elementId: id, kind: kindOf(id), systemId: ownerSystemId(t, id) ?? '', offsetBytes: offset, lengthBytes: length, depth });
    onStack.add(id);
    const end = offset + length;
    for (const upper of ix.upperByLower.get(id) ?? []) {
      if (upper.kind !== 'virtual') continue;
      let pieceStart = 0;
      for (const r of upper.ranges) {
        if (r.lowerId === id) {
          const from = Math.max(offset, r.startBytes);
          const to = Math.min(end, r.startBytes + r.lengthBytes);
          if (from < to) visit(upper.id, pieceStart + (from - r.startBytes), to - from, depth + 1);
        }
        pieceStart += r.lengthBytes;
      }
    }
    for (const alias of ix.aliasesOf.get(id) ?? []) {
      // An alias reached through a loop LU is visited from that LU instead, so it is not counted twice.
      if (alias.kind === 'virtualReal' && alias.path) continue;
      visit(alias.id, offset, length, depth + 1);
    }
    for (const lu of ix.lusByVolume.get(id) ?? []) {
      const from = Math.max(offset, lu.startBytes);
      const to = Math.min(end, lu.startBytes + lu.sizeBytes);
      if (from < to) visit(lu.id, from - lu.startBytes, to - from, depth + 1);
    }
    for (const v of ix.volumesOnLu.get(id) ?? []) visit(v.id, offset, length, depth + 1);
    onStack.delete(id);
  };
  visit(lowerId, offsetBytes, lengthBytes, 0);
  return hops;
}

/**
 * Every element that sees the same physical bytes as a range of `fromId`: down to the internal real
 * volumes, then up through everything stacked on them (multiple virtualization, twin LUs, aliases).
 * This is how a write received into V12 shows up in V21 when both share R1a (FIG. 11) or an LU area (FIG. 15, 16).
 * Deduplicated by element and range; depth is relative to the physical volume (0).
 */
export function sameBytes(t: Topology, fromId: string, offsetBytes: number, lengthBytes: number): TranslateHop[] {
  const seen = new Set<string>();
  const out: TranslateHop[] = [];
  for (const leaf of physicalExtents(t, fromId, offsetBytes, lengthBytes)) {
    for (const hop of translateUp(t, leaf.elementId, leaf.offsetBytes, leaf.lengthBytes)) {
      const key = `${hop.elementId}@${hop.offsetBytes}+${hop.lengthBytes}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(hop);
    }
  }
  return out;
}
