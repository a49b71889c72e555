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
    readonly reason: 'unknown-element' | 'out-of-range' | 'cycle' | 'not-addressable',
    detail: string,
  ) {
    super(`${elementId}: ${detail}`);
  }
}

/** Stacks deeper than this are treated as a cycle (a real stack is a handful of levels). */
const MAX_DEPTH = 64;

/**
 * Every hop a byte range of a volume or LU takes down its mapping stack, depth first, splitting
 * the range where it crosses the pieces of a virtual volume. A virtual real volume is followed
 * through its path's LU when it has one (FIG. 1's loop) and straight to its aliased volume otherwise;
 * an external real volume is followed to the external system's LU. Leaves are internal real volumes.
 * Throws TranslateError for unknown elements, ranges beyond an element's end, and cycles.
 */
export function translate(t: Topology, fromId: string, offsetBytes: number, lengthBytes: number): TranslateHop[] {
  const ix = indexTopology(t);
  const hops: TranslateHop[] = [];
  const onStack = new Set<string>();

  const visit = (id: string, offset: number, length: number, depth: number): void => {
    if (onStack.has(id) || depth > MAX_DEPTH) throw new TranslateError(id, 'cycle', 'the mapping stack loops back onto itself');
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
