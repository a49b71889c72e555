// The mapping stack flattened: every volume and LU as extents on internal real volumes (reads, writes, copies, volumesOver for fan-out).
import type { Lu, Topology, Volume } from '../../app/model/schema';
import { SparseVolume, type Sha256 } from './data/sparse-volume';
import type { Payload } from './data/payload';
import { STORE_CHUNK_BYTES } from './cache';
import { fillVolume } from './initial-fill';

export interface Extent {
  volumeId: string;
  volumeOffset: number;
  length: number;
  storeId: string;
  storeOffset: number;
}

/** A byte range of one store, for a write split across the mapping stack. */
export interface StorePiece {
  store: SparseVolume;
  storeId: string;
  storeOffset: number;
  /** Offset within the written data. */
  dataOffset: number;
  length: number;
}

export class TopologyError extends Error {
  constructor(
    readonly elementId: string,
    readonly why: string,
  ) {
    super(`${elementId}: ${why}`);
    this.name = 'TopologyError';
  }
}

/** Sizes, lookups and the flattened mapping of every volume and LU. */
export class MappingStack {
  readonly volumes = new Map<string, Volume>();
  readonly lus = new Map<string, Lu>();
  readonly stores = new Map<string, SparseVolume>();
  /** Flattened extents by volume or LU id, in address order. */
  private readonly flat = new Map<string, Extent[]>();
  /** Extents of every volume, grouped by the store they land on. */
  readonly byStore = new Map<string, Extent[]>();
  private readonly sharers = new Map<string, readonly string[]>();

  constructor(
    t: Topology,
    /** The host's sha256 for the stores' block digests (pure JS when absent). */
    readonly sha256?: Sha256,
  ) {
    for (const v of t.volumes) this.volumes.set(v.id, v);
    for (const l of t.lus) this.lus.set(l.id, l);
    for (const v of t.volumes) {
      if (v.kind === 'real' && v.backing.type === 'internal') {
        // Bytes are held in 4 KiB chunks, not the system's 256 KiB tracks: a random 4 KiB write then materialises
        // 4 KiB, not 256 KiB (64x less allocation). Bitmaps and cache slots still use the system's track size.
        const store = new SparseVolume(v.sizeBytes, { trackBytes: STORE_CHUNK_BYTES, id: v.id, sha256 });
        // The one place a volume gets the data the file says it starts with.
        if (v.initialFill) fillVolume(store, v.id, v.initialFill, t.systems.find((s) => s.id === v.systemId)?.trackBytes ?? STORE_CHUNK_BYTES);
        this.stores.set(v.id, store);
      }
    }
    for (const v of t.volumes) {
      for (const e of this.extentsOf(v.id)) {
        let list = this.byStore.get(e.storeId);
        if (!list) this.byStore.set(e.storeId, (list = []));
        list.push({ ...e, volumeId: v.id });
      }
    }
  }

  sizeOf(id: string): number {
    const v = this.volumes.get(id);
    if (v) {
      if (v.kind === 'real') return v.sizeBytes;
      if (v.kind === 'virtual') return v.ranges.reduce((s, r) => s + r.lengthBytes, 0);
      return this.sizeOf(v.aliasOfId);
    }
    const lu = this.lus.get(id);
    if (lu) return lu.sizeBytes;
    throw new TopologyError(id, 'no such volume or LU');
  }

  /** The whole address space of a volume or LU as extents on internal real volumes. */
  extentsOf(id: string, depth = 0): Extent[] {
    const memo = this.flat.get(id);
    if (memo) return memo;
    if (depth > 32) throw new TopologyError(id, 'the mapping stack is deeper than 32 levels (a cycle?)');
    let out: Extent[] = [];
    const v = this.volumes.get(id);
    const lu = this.lus.get(id);
    if (v?.kind === 'real') {
      if (v.backing.type === 'internal') out = [{ volumeId: id, volumeOffset: 0, length: v.sizeBytes, storeId: id, storeOffset: 0 }];
      else out = this.slice(v.backing.luId, 0, v.sizeBytes, 0, depth);
    } else if (v?.kind === 'virtual') {
      let at = 0;
      for (const r of v.ranges) {
        out.push(...this.slice(r.lowerId, r.startBytes, r.lengthBytes, at, depth));
        at += r.lengthBytes;
      }
    } else if (v?.kind === 'virtualReal') {
      out = this.slice(v.aliasOfId, 0, this.sizeOf(v.aliasOfId), 0, depth);
    } else if (lu) {
      out = this.slice(lu.volumeId, lu.startBytes, lu.sizeBytes, 0, depth);
    } else {
      throw new TopologyError(id, 'no such volume or LU');
    }
    for (const e of out) e.volumeId = id;
    this.flat.set(id, out);
    return out;
  }

  /** Extents of `lowerId` from `start` for `length`, re-based to `at` in the caller's address space. */
  private slice(lowerId: string, start: number, length: number, at: number, depth: number): Extent[] {
    const out: Extent[] = [];
    const end = start + length;
    for (const e of this.extentsOf(lowerId, depth + 1)) {
      const a = Math.max(start, e.volumeOffset);
      const b = Math.min(end, e.volumeOffset + e.length);
      if (a >= b) continue;
      out.push({ volumeId: lowerId, volumeOffset: at + (a - start), length: b - a, storeId: e.storeId, storeOffset: e.storeOffset + (a - e.volumeOffset) });
    }
    const covered = out.reduce((s, e) => s + e.length, 0);
    if (covered !== length) throw new TopologyError(lowerId, `range ${start}+${length} runs past the end of ${lowerId}`);
    return out;
  }

  /** The store pieces a range of a volume or LU lands on. */
  pieces(id: string, offset: number, length: number): StorePiece[] {
    const extents = this.extentsOf(id);
    const end = offset + length;
    // Most volumes are one extent: an array literal of one (an empty array grown by push takes room for 17).
    if (extents.length === 1) {
      const e = extents[0]!;
      const a = Math.max(offset, e.volumeOffset);
      const b = Math.min(end, e.volumeOffset + e.length);
      return a < b ? [{ store: this.stores.get(e.storeId)!, storeId: e.storeId, storeOffset: e.storeOffset + (a - e.volumeOffset), dataOffset: a - offset, length: b - a }] : [];
    }
    const out: StorePiece[] = [];
    for (const e of extents) {
      const a = Math.max(offset, e.volumeOffset);
      const b = Math.min(end, e.volumeOffset + e.length);
      if (a >= b) continue;
      out.push({ store: this.stores.get(e.storeId)!, storeId: e.storeId, storeOffset: e.storeOffset + (a - e.volumeOffset), dataOffset: a - offset, length: b - a });
    }
    return out;
  }

  write(id: string, offset: number, data: Uint8Array): void {
    for (const p of this.pieces(id, offset, data.length)) p.store.write(p.storeOffset, data.subarray(p.dataOffset, p.dataOffset + p.length));
  }

  /** Writes an immutable payload (a host write's buffer, never changed afterwards): stores keep whole chunks by reference. */
  writeImmutable(id: string, offset: number, data: Payload): void {
    for (const p of this.pieces(id, offset, data.length)) p.store.writeImmutable(p.storeOffset, data.subarray(p.dataOffset, p.dataOffset + p.length));
  }

  read(id: string, offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (const p of this.pieces(id, offset, length)) out.set(p.store.read(p.storeOffset, p.length), p.dataOffset);
    return out;
  }

  /**
   * The range's bytes to send over a link (a copy's track), taken now: the stores' chunks by reference where the range
   * is one store's whole chunks (so the receiving store shares the buffers and their block digests), else a fresh copy.
   */
  readForTransfer(id: string, offset: number, length: number): Payload {
    const pieces = this.pieces(id, offset, length);
    if (pieces.length === 1 && pieces[0]!.length === length) return pieces[0]!.store.takeRange(pieces[0]!.storeOffset, length);
    return this.read(id, offset, length);
  }

  /** Copies a range of one volume onto another (pair copy), keeping unwritten regions unwritten. */
  copy(fromId: string, toId: string, offset: number, length: number): void {
    this.eachOverlap(fromId, toId, offset, length, copyStoreRange);
  }

  /**
   * Like copy, but whole chunks are shared by reference (taken with takeRange, kept with writeImmutable: copy-on-write),
   * so seeding a secondary with a filled primary's bytes costs no copy of them.
   */
  shareCopy(fromId: string, toId: string, offset: number, length: number): void {
    this.eachOverlap(fromId, toId, offset, length, shareStoreRange);
  }

  /** The store ranges under the same range of two volumes, pairwise (a range on the same bytes of one store is skipped). */
  private eachOverlap(fromId: string, toId: string, offset: number, length: number, visit: (src: SparseVolume, srcOff: number, dst: SparseVolume, dstOff: number, length: number) => void): void {
    const src = this.pieces(fromId, offset, length);
    const dst = this.pieces(toId, offset, length);
    for (const s of src) {
      for (const d of dst) {
        const a = Math.max(s.dataOffset, d.dataOffset);
        const b = Math.min(s.dataOffset + s.length, d.dataOffset + d.length);
        if (a >= b) continue;
        const srcOff = s.storeOffset + (a - s.dataOffset);
        const dstOff = d.storeOffset + (a - d.dataOffset);
        if (s.store === d.store && srcOff === dstOff) continue;
        visit(s.store, srcOff, d.store, dstOff, b - a);
      }
    }
  }

  /** True when any byte of the range has ever been written in the stores below it. */
  anyWritten(id: string, offset: number, length: number): boolean {
    for (const p of this.pieces(id, offset, length)) {
      const first = Math.floor(p.storeOffset / p.store.trackBytes);
      const next = p.store.nextWrittenTrack(first);
      if (next !== undefined && next * p.store.trackBytes < p.storeOffset + p.length) return true;
    }
    return false;
  }

  /** The first offset >= `offset` in the volume whose store track holds data, or undefined. */
  nextWrittenOffset(id: string, offset: number): number | undefined {
    let best: number | undefined;
    for (const e of this.extentsOf(id)) {
      if (e.volumeOffset + e.length <= offset) continue;
      const store = this.stores.get(e.storeId)!;
      const from = e.storeOffset + Math.max(0, offset - e.volumeOffset);
      const t = store.nextWrittenTrack(Math.floor(from / store.trackBytes));
      if (t === undefined) continue;
      const storeAt = Math.max(from, t * store.trackBytes);
      if (storeAt >= e.storeOffset + e.length) continue;
      const at = e.volumeOffset + (storeAt - e.storeOffset);
      if (best === undefined || at < best) best = at;
      break;
    }
    return best;
  }

  /**
   * The other volumes over any store byte this volume's extents land on (a relay's V12 and V21 over one real volume),
   * worked out once: the stack does not change during a run. Empty for most volumes; a superset of those sharing a
   * given range (volumesOver says which bytes).
   */
  sharersOf(id: string): readonly string[] {
    let known = this.sharers.get(id);
    if (known === undefined) {
      const out = new Set<string>();
      for (const e of this.extentsOf(id)) for (const x of this.byStore.get(e.storeId) ?? []) if (x.volumeId !== id) out.add(x.volumeId);
      this.sharers.set(id, (known = [...out]));
    }
    return known;
  }

  /** Whether two volumes are one, or lie over some of the same store bytes (sharersOf). */
  sharesBytes(a: string, b: string): boolean {
    return a === b || this.sharersOf(a).includes(b);
  }

  /** Volumes whose address space covers some of the given store bytes, with the covered volume range. */
  volumesOver(storeId: string, storeOffset: number, length: number): VolumeOver[] {
    const extents = this.byStore.get(storeId);
    if (extents === undefined) return [];
    // Sized up front: an empty array grown by push takes room for 17, and fan-out asks this on every write.
    let n = 0;
    for (const e of extents) if (Math.max(storeOffset, e.storeOffset) < Math.min(storeOffset + length, e.storeOffset + e.length)) n++;
    const out: VolumeOver[] = new Array<VolumeOver>(n);
    let i = 0;
    for (const e of extents) {
      const a = Math.max(storeOffset, e.storeOffset);
      const b = Math.min(storeOffset + length, e.storeOffset + e.length);
      if (a >= b) continue;
      out[i++] = { volumeId: e.volumeId, offset: e.volumeOffset + (a - e.storeOffset), length: b - a, storeOffset: a };
    }
    return out;
  }
}

/** A volume over some store bytes, and the range of it they are (volumesOver). */
export interface VolumeOver {
  volumeId: string;
  offset: number;
  length: number;
  storeOffset: number;
}

/** shareCopy's step: the source's written tracks by reference; what the destination held where the source has nothing, zeros. */
function shareStoreRange(src: SparseVolume, srcOff: number, dst: SparseVolume, dstOff: number, len: number): void {
  // The source's written tracks only (a 64 TiB volume is mostly never written).
  const stb = src.trackBytes;
  for (let t = src.nextWrittenTrack(Math.floor(srcOff / stb)); t !== undefined && t * stb < srcOff + len; t = src.nextWrittenTrack(t + 1)) {
    const from = Math.max(srcOff, t * stb);
    const to = Math.min(srcOff + len, t * stb + src.trackLength(t));
    dst.writeImmutable(dstOff + (from - srcOff), src.takeRange(from, to - from));
  }
  // A secondary with data of its own: where the source has nothing, zeros.
  const dtb = dst.trackBytes;
  for (let t = dst.nextWrittenTrack(Math.floor(dstOff / dtb)); t !== undefined && t * dtb < dstOff + len; t = dst.nextWrittenTrack(t + 1)) {
    const from = Math.max(dstOff, t * dtb);
    const to = Math.min(dstOff + len, t * dtb + dst.trackLength(t));
    const srcFrom = srcOff + (from - dstOff);
    const next = src.nextWrittenTrack(Math.floor(srcFrom / stb));
    if (next === undefined || next * stb >= srcFrom + (to - from)) dst.zeroRange(from, to - from);
  }
}

function copyStoreRange(src: SparseVolume, srcOff: number, dst: SparseVolume, dstOff: number, length: number): void {
  // Walk source tracks so never-written regions stay unwritten (cheap copies of mostly-empty volumes).
  let done = 0;
  while (done < length) {
    const pos = srcOff + done;
    const track = Math.floor(pos / src.trackBytes);
    const inTrack = pos - track * src.trackBytes;
    const count = Math.min(length - done, src.trackLength(track) - inTrack);
    const data = src.peekTrack(track);
    if (data) dst.write(dstOff + done, data.subarray(inTrack, inTrack + count));
    else dst.zeroRange(dstOff + done, count);
    done += count;
  }
}
