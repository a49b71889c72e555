// Runtime objects compiled from a Topology: links with delay, bandwidth and FIFO queues, caches of track slots, and the flattened mapping stack.
import type { Cable, Lu, Port, StorageSystem, Topology, Volume } from '../../app/model/schema';
import { SparseVolume, type Sha256 } from './data/sparse-volume';
import type { Payload } from './data/payload';
import { invariant } from './sim';

/** One-way propagation in fibre, microseconds per km (light at ~204,000 km/s). */
export const US_PER_KM = 5;
/** A message between two ports of one system through shared memory. */
export const MSG_US = 5;
/** Time a changeover switch (FIG. 13) needs to connect the other cable. */
export const SWITCH_US = 100;

export class LinkDownError extends Error {
  constructor(readonly cableId: string) {
    super(`cable ${cableId} is down`);
    this.name = 'LinkDownError';
  }
}

/** What a switch group needs from the simulator: a callback at a virtual time (the Scheduler). */
export interface Timers {
  at(timeUs: number, run: () => void): void;
}

/** An exchange waiting for its cable to get the switch: what to send, and whom to tell when it arrives. */
interface SwitchWaiter {
  fromPortId: string;
  bytes: number;
  roundTrips: number;
  then: (arriveUs: number) => void;
}

/**
 * A switch group (FIG. 13): the cables in it connect one at a time. The switch is work-conserving: the connected
 * cable keeps serving its exchanges while no other cable has any waiting; once another cable has work, new exchanges
 * wait too, and when the port's last answer is back the switch turns to the next cable with work (in cable order
 * after the connected one) and serves everything waiting for it in one turn. So a waiting exchange always joins its
 * cable's next turn, never a later one: a journal record that asks after the next writes did rides the async turn
 * that follows the sync turn under way, instead of booking behind a sync turn booked ahead of it.
 */
export class SwitchGroupRt {
  activeCableId: string | undefined = undefined;
  /** When the connected cable's last exchange (data and its answer) is over. */
  freeAtUs = 0;
  /** When the active cable is (or will be) connected. */
  connectedAtUs = 0;
  switches = 0;
  /** The group's cables, in the order the switch turns to them. */
  readonly links: LinkRt[] = [];
  /** Exchanges waiting for a turn, over all cables of the group. */
  waiting = 0;
  /** A turn change is scheduled at freeAtUs. */
  private turnPending = false;

  constructor(readonly name: string) {}

  /** Queues an exchange on `link` for its cable's next turn. */
  enqueue(timers: Timers, link: LinkRt, waiter: SwitchWaiter): void {
    link.switchWaiters.push(waiter);
    this.waiting++;
    if (!this.turnPending) {
      this.turnPending = true;
      timers.at(this.freeAtUs, () => this.nextTurn(timers));
    }
  }

  /** The port is free: connect the next cable with work and send everything waiting for it. */
  private nextTurn(timers: Timers): void {
    // Nothing extends a turn while exchanges wait (send queues them all), so the port is free exactly now.
    const now = this.freeAtUs;
    this.turnPending = false;
    const from = this.links.findIndex((l) => l.id === this.activeCableId);
    let next: LinkRt | undefined;
    for (let i = 1; i <= this.links.length && !next; i++) {
      const l = this.links[(from + i + this.links.length) % this.links.length]!;
      if (l.switchWaiters.length > 0) next = l;
    }
    if (!next) return;
    if (next.id !== this.activeCableId) {
      this.connectedAtUs = now + SWITCH_US;
      this.activeCableId = next.id;
      this.switches++;
    }
    const batch = next.switchWaiters.splice(0);
    this.waiting -= batch.length;
    for (const w of batch) w.then(next.transmit(now, w.fromPortId, w.bytes, w.roundTrips));
    if (this.waiting > 0) {
      this.turnPending = true;
      timers.at(this.freeAtUs, () => this.nextTurn(timers));
    }
  }
}

/** A cable at run time: full duplex, one FIFO serialisation queue per direction. */
export class LinkRt {
  readonly id: string;
  readonly oneWayUs: number;
  readonly bitsPerUs: number;
  readonly roundTrips: 1 | 2;
  up = true;
  /** Bumped on every cut: a transfer sent in an older epoch never arrives. */
  epoch = 0;
  readonly busyUntilUs: [number, number] = [0, 0];
  readonly busyUs: [number, number] = [0, 0];
  bytes = 0;
  inFlight = 0;
  switchGroup: SwitchGroupRt | undefined;
  /** Exchanges waiting for this cable's next turn of the switch (FIG. 13). */
  readonly switchWaiters: SwitchWaiter[] = [];

  constructor(readonly cable: Cable) {
    this.id = cable.id;
    this.oneWayUs = cable.distanceKm * US_PER_KM;
    this.bitsPerUs = cable.bandwidthMbps;
    this.roundTrips = cable.roundTripsPerWrite;
  }

  /** The port at the other end. */
  otherEnd(portId: string): string {
    return portId === this.cable.aPortId ? this.cable.bPortId : this.cable.aPortId;
  }

  serialisationUs(bytes: number): number {
    return (bytes * 8) / this.bitsPerUs;
  }

  /**
   * Schedules a write of `bytes` sent from `fromPortId` at `nowUs`. Returns when the data has fully arrived
   * at the far end; the answer takes one more one-way delay. Plain SCSI (2 round trips) first exchanges the
   * command and transfer-ready, then streams the data; the serialisation waits behind earlier data (FIFO).
   * Books at once: flows go through `send`, which holds an exchange on a switched cable until the cable's turn.
   */
  transmit(nowUs: number, fromPortId: string, bytes: number, roundTrips: number = this.roundTrips): number {
    const dir = fromPortId === this.cable.aPortId ? 0 : 1;
    // A write's exchange has `roundTrips`; a read's command and its data each pass with 1 (no transfer-ready).
    const handshakeUs = (2 * roundTrips - 2) * this.oneWayUs;
    let ready = nowUs + handshakeUs;
    const group = this.switchGroup;
    if (group && group.activeCableId !== this.id) {
      // The other cable's exchanges finish first; the command handshake only starts once this cable is connected.
      group.connectedAtUs = Math.max(nowUs, group.freeAtUs) + SWITCH_US;
      ready = group.connectedAtUs + handshakeUs;
      group.activeCableId = this.id;
      group.switches++;
    } else if (group) {
      // Same cable, but it may not be connected yet (a switch to it is pending).
      ready = Math.max(ready, group.connectedAtUs + handshakeUs);
    }
    const ser = this.serialisationUs(bytes);
    const start = Math.max(ready, this.busyUntilUs[dir]);
    this.busyUntilUs[dir] = start + ser;
    this.busyUs[dir] += ser;
    this.bytes += bytes;
    const arrive = start + ser + this.oneWayUs;
    if (group) group.freeAtUs = Math.max(group.freeAtUs, arrive + this.oneWayUs);
    return arrive;
  }

  /**
   * Sends a write (or a read's leg) over this cable and calls `then` with its arrival time: at once on a plain cable,
   * and behind a changeover switch when the switch gives this cable its turn (see SwitchGroupRt).
   */
  send(timers: Timers, nowUs: number, fromPortId: string, bytes: number, then: (arriveUs: number) => void, roundTrips: number = this.roundTrips): void {
    const group = this.switchGroup;
    if (group) {
      const rides = group.activeCableId === this.id && group.waiting === 0;
      const idle = group.waiting === 0 && group.freeAtUs <= nowUs;
      if (!rides && !idle) return group.enqueue(timers, this, { fromPortId, bytes, roundTrips, then });
    }
    then(this.transmit(nowUs, fromPortId, bytes, roundTrips));
  }

  /** Serialisations queued behind the current one, by direction, as a rough depth. */
  queueDepth(nowUs: number): number {
    return Math.max(0, this.inFlight - (Math.max(this.busyUntilUs[0], this.busyUntilUs[1]) > nowUs ? 1 : 0));
  }
}

interface Slot {
  volumeId: string;
  track: number;
  dirty: boolean;
  sinceUs: number;
  /** Bumped on every store, so a destage that started earlier does not clean newer data. */
  version: number;
  destagePending: boolean;
}

/** Granule in which real volumes hold their bytes (see MappingStack). */
export const STORE_CHUNK_BYTES = 4096;

/** Disk adapters destaging in parallel per cache (a system has several DKAs). */
export const DESTAGE_LANES = 4;

/** Writes waiting for a free slot, beyond which the cache refuses (the host sees a failed write). */
export const MAX_CACHE_WAITERS = 100_000;

/** Volumes one cache can key slots for (the slot key is track x this + volume index). */
const SLOT_KEY_VOLUMES = 65536;

/** A cache memory: track-sized slots, dirty until destaged or handed down, clean slots evicted oldest first. */
export class CacheRt {
  readonly id: string;
  readonly systemId: string;
  readonly slotsTotal: number;
  readonly volumeIds: ReadonlySet<string>;
  /**
   * Slots by a numeric key (track x 2^16 + volume index): a number hashes without building a string per lookup, and
   * a write looks slots up several times per cache.
   */
  readonly slots = new Map<number, Slot>();
  /** Clean slot keys, oldest first (eviction order). */
  private readonly clean = new Set<number>();
  /** Small integer per volume id, for the slot keys. */
  private readonly volumeIndex = new Map<string, number>();
  dirtyCount = 0;
  readonly waiters: (() => void)[] = [];
  /** Each disk adapter lane destages one track at a time; a system has several (DESTAGE_LANES). */
  readonly destageLanes = new Float64Array(DESTAGE_LANES);
  destaging = 0;

  constructor(
    id: string,
    systemId: string,
    sizeBytes: number,
    readonly trackBytes: number,
    volumeIds: string[],
  ) {
    this.id = id;
    this.systemId = systemId;
    this.slotsTotal = Math.max(1, Math.floor(sizeBytes / trackBytes));
    this.volumeIds = new Set(volumeIds);
  }

  get slotsUsed(): number {
    return this.slots.size;
  }

  /** Marks the track dirty, taking a slot if needed; returns the slot version, or -1 when every slot is dirty. */
  store(volumeId: string, track: number, nowUs: number): number {
    const key = this.key(volumeId, track);
    let slot = this.slots.get(key);
    if (!slot) {
      if (this.slots.size >= this.slotsTotal) {
        const victim = this.clean.values().next();
        if (victim.done) return -1;
        this.clean.delete(victim.value);
        this.slots.delete(victim.value);
      }
      slot = { volumeId, track, dirty: false, sinceUs: nowUs, version: 0, destagePending: false };
      this.slots.set(key, slot);
    }
    if (!slot.dirty) {
      slot.dirty = true;
      this.dirtyCount++;
      this.clean.delete(key);
    }
    slot.sinceUs = nowUs;
    slot.version++;
    return slot.version;
  }

  slot(volumeId: string, track: number): Slot | undefined {
    return this.slots.get(this.key(volumeId, track));
  }

  private key(volumeId: string, track: number): number {
    let index = this.volumeIndex.get(volumeId);
    if (index === undefined) {
      index = this.volumeIndex.size;
      invariant(index < SLOT_KEY_VOLUMES, this.id, `more than ${SLOT_KEY_VOLUMES} volumes in one cache`);
      this.volumeIndex.set(volumeId, index);
    }
    // Exact while track x 2^16 < 2^53, i.e. below 2^37 tracks (64 TiB of 512-byte tracks).
    return track * SLOT_KEY_VOLUMES + index;
  }

  /** Marks the track clean if nothing newer was stored since `version`; wakes one waiter per freed slot. */
  markClean(volumeId: string, track: number, version: number, nowUs: number): void {
    const key = this.key(volumeId, track);
    const slot = this.slots.get(key);
    if (!slot || !slot.dirty || slot.version !== version) return;
    slot.dirty = false;
    slot.sinceUs = nowUs;
    this.dirtyCount--;
    this.clean.add(key);
    invariant(this.dirtyCount >= 0, this.id, 'negative dirty slot count');
    const waiter = this.waiters.shift();
    if (waiter) waiter();
  }

  /** Books `us` of destage work on the lane free first; returns when it completes. */
  bookDestage(nowUs: number, us: number): number {
    let lane = 0;
    for (let i = 1; i < this.destageLanes.length; i++) if (this.destageLanes[i]! < this.destageLanes[lane]!) lane = i;
    const done = Math.max(nowUs, this.destageLanes[lane]!) + us;
    this.destageLanes[lane] = done;
    return done;
  }

  hasFree(): boolean {
    return this.slots.size < this.slotsTotal || this.clean.size > 0;
  }
}

/** A piece of a volume's address space resolved down to the bytes of one internal real volume. */
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

  constructor(
    t: Topology,
    trackBytesOf: (systemId: string) => number,
    /** The host's sha256 for the stores' block digests (pure JS when absent). */
    readonly sha256?: Sha256,
  ) {
    for (const v of t.volumes) this.volumes.set(v.id, v);
    for (const l of t.lus) this.lus.set(l.id, l);
    for (const v of t.volumes) {
      if (v.kind === 'real' && v.backing.type === 'internal') {
        // Bytes are held in 4 KiB chunks, not the system's 256 KiB tracks: a random 4 KiB write then materialises
        // 4 KiB, not 256 KiB (64x less allocation). Bitmaps and cache slots still use the system's track size.
        void trackBytesOf;
        this.stores.set(v.id, new SparseVolume(v.sizeBytes, { trackBytes: STORE_CHUNK_BYTES, id: v.id, sha256 }));
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
    const out: StorePiece[] = [];
    const end = offset + length;
    for (const e of this.extentsOf(id)) {
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

  /** Copies a range of one volume onto another (pair copy), keeping unwritten regions unwritten. */
  copy(fromId: string, toId: string, offset: number, length: number): void {
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
        copyStoreRange(s.store, srcOff, d.store, dstOff, b - a);
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

  /** Volumes whose address space covers some of the given store bytes, with the covered volume range. */
  volumesOver(storeId: string, storeOffset: number, length: number): { volumeId: string; offset: number; length: number; storeOffset: number }[] {
    const out: { volumeId: string; offset: number; length: number; storeOffset: number }[] = [];
    for (const e of this.byStore.get(storeId) ?? []) {
      const a = Math.max(storeOffset, e.storeOffset);
      const b = Math.min(storeOffset + length, e.storeOffset + e.length);
      if (a >= b) continue;
      out.push({ volumeId: e.volumeId, offset: e.volumeOffset + (a - e.storeOffset), length: b - a, storeOffset: a });
    }
    return out;
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

/** Ports, systems and cables by id, and the links between ports. */
export class Wiring {
  readonly systems = new Map<string, StorageSystem>();
  readonly ports = new Map<string, Port>();
  readonly links = new Map<string, LinkRt>();
  readonly linksByPort = new Map<string, LinkRt[]>();
  readonly groups = new Map<string, SwitchGroupRt>();

  constructor(t: Topology) {
    for (const s of t.systems) this.systems.set(s.id, s);
    for (const p of t.ports) this.ports.set(p.id, p);
    for (const c of t.cables) {
      const link = new LinkRt(c);
      if (c.switchGroup) {
        let g = this.groups.get(c.switchGroup);
        if (!g) this.groups.set(c.switchGroup, (g = new SwitchGroupRt(c.switchGroup)));
        link.switchGroup = g;
        g.links.push(link);
      }
      this.links.set(c.id, link);
      for (const p of [c.aPortId, c.bPortId]) {
        let list = this.linksByPort.get(p);
        if (!list) this.linksByPort.set(p, (list = []));
        list.push(link);
      }
    }
  }

  ownerOf(portId: string): string {
    const p = this.ports.get(portId);
    if (!p) throw new TopologyError(portId, 'no such port');
    return p.ownerId;
  }

  /** The cable between two ports, if any. */
  linkBetween(portA: string, portB: string): LinkRt | undefined {
    return this.linksByPort.get(portA)?.find((l) => l.otherEnd(portA) === portB);
  }

  /**
   * A direct cable from a sending port of `fromOwner` to a receiving port of `toOwner` (initiator or switchable to
   * target or switchable). Returns the sending port, the link and the receiving port.
   */
  route(fromOwner: string, toOwner: string, toPortId?: string): { fromPortId: string; link: LinkRt; toPortId: string } | undefined {
    let fallback: { fromPortId: string; link: LinkRt; toPortId: string } | undefined;
    for (const link of this.links.values()) {
      for (const [a, b] of [
        [link.cable.aPortId, link.cable.bPortId],
        [link.cable.bPortId, link.cable.aPortId],
      ] as const) {
        const pa = this.ports.get(a);
        const pb = this.ports.get(b);
        if (!pa || !pb || pa.ownerId !== fromOwner || pb.ownerId !== toOwner) continue;
        if (toPortId !== undefined && b !== toPortId) continue;
        const candidate = { fromPortId: a, link, toPortId: b };
        if (pa.kind !== 'target' && pb.kind !== 'initiator') return candidate;
        fallback ??= candidate;
      }
    }
    return fallback;
  }
}
