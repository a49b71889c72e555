// Engine benchmarks (targets 1-4 and 6 of docs/PERFORMANCE.md): one case per run, chosen by argv, printing one JSON line.
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { Engine } from '../main/engine/engine';
import { createEngineDriver } from '../main/engine/driver';
import { Scheduler } from '../main/engine/sim';
import { serializeTopology } from '../app/model/file';
import { withoutInitialFill, type Topology } from '../app/model/schema';
import { GIB, TIB, elementCount, loadFigure, replicated, scaled } from './topologies';

const FIG1 = 'fig01-loop-cascade.relaylab.json';
const FIG12 = 'fig12-fan-out.relaylab.json';
const FAR_US = 1e13;

function now(): number {
  return performance.now();
}

/** CPU milliseconds (user + system) this process spent since `start`. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Deterministic bytes (a small LCG) so runs compare byte for byte. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A built engine whose pairs have finished their initial copies. */
function settledEngine(t: Topology, seed = 1): Engine {
  const engine = new Engine(t, { seed });
  if (!engine.runUntilSettled(FAR_US)) throw new Error(`${t.name}: the initial copies did not settle`);
  return engine;
}

function pairStates(engine: Engine): Record<string, string> {
  return Object.fromEntries([...engine.pairs.values()].map((p) => [p.id, p.state]));
}

function storedBytes(engine: Engine): number {
  let n = 0;
  for (const s of engine.stack.stores.values()) n += s.bytesStored;
  return n;
}

// ------------------------------------------------------------------ 1. data path

/**
 * 4 KiB host writes through FIG. 1 (V11 -> sync -> V12 = R2 -> loop -> V21 -> async -> V22) against a loop that
 * Buffer.copy's the same bytes to as many places as the engine stores them (R11, R40 behind R1, R3).
 */
/** CPU microseconds per event of the bare scheduler: a heap push, a pop and a closure call, ~200 pending. */
function schedulerUsPerEvent(): number {
  // The first round warms the loop up (as the data path's warm-up run does for the engine); the second is timed.
  schedulerRound();
  return schedulerRound();
}

function schedulerRound(): number {
  const sched = new Scheduler();
  const events = 1_000_000;
  let fired = 0;
  const c0 = process.cpuUsage();
  const tick = (): void => {
    if (++fired < events) sched.after(10 + (fired % 7), tick);
  };
  for (let i = 0; i < 200; i++) sched.after(i, tick);
  while (sched.runNext(Number.MAX_SAFE_INTEGER));
  return (cpuMs(c0) * 1000) / sched.executed;
}

/**
 * FIG. 1's data path: `writes` sequential 4 KiB writes at 10k IOPS, timed in CPU from the first write until settled.
 * `warmupWrites` first runs that many on a throwaway engine in the same process, untimed but reported, so that the timed
 * run measures the compiled code and not V8's tiering up (the first 30,000 writes of a cold process cost ~3x; the cost per
 * write keeps falling for ~130,000 writes).
 */
function datapath(writes: number, verify: boolean, baseline: boolean, warmupWrites = 0): Record<string, unknown> {
  // Only the figures are kept, not the warm-up's engine (it would weigh on the timed run's collections).
  const warmup = warmupWrites > 0 ? (({ acked, engineCpuMs }) => ({ acked, engineCpuMs }))(datapathRun(warmupWrites)) : undefined;
  const run = profiled(process.argv.find((a) => a.startsWith('--profile-timed='))?.slice(16), () => datapathRun(writes));
  const { engine, acked, engineCpuMs } = run;
  const blockBytes = 4096;
  // Hashes: every copy of the data must be identical, byte for byte (timed separately: it is a verification pass).
  const h0 = now();
  const hashes = verify ? { V11: engine.volumeHash('V11'), V12: engine.volumeHash('V12'), V22: engine.volumeHash('V22') } : undefined;
  const hashMs = now() - h0;
  const copies = Math.round(run.storedBytesAdded / (acked * blockBytes)) || 3;

  // Baseline: the same number of 4 KiB Buffer.copy's into the same number of places, same process.
  const source = Buffer.from(pattern(blockBytes, 7));
  const targets = Array.from({ length: copies }, () => Buffer.alloc(acked * blockBytes));
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  for (let r = 0; r < (baseline ? 5 : 0); r++) {
    const b0 = now();
    const bc0 = process.cpuUsage();
    for (let i = 0; i < acked; i++) for (const target of targets) source.copy(target, i * blockBytes);
    runs.push(now() - b0);
    cpuRuns.push(cpuMs(bc0));
  }
  const baselineMs = baseline ? median(runs) : NaN;
  const baselineCpuMs = baseline ? median(cpuRuns) : NaN;
  // CPU time, not wall time: the bench machine is shared, and CPU time does not count the time others held the core.
  const writesPerSec = acked / (engineCpuMs / 1000);
  const baselinePerSec = acked / (baselineCpuMs / 1000);
  return {
    case: 'datapath',
    writes: acked,
    settled: run.settled,
    states: pairStates(engine),
    copiesPerWrite: copies,
    engineMs: run.engineMs,
    engineCpuMs,
    cpuUsPerWrite: (engineCpuMs * 1000) / acked,
    warmupWrites: warmup?.acked ?? 0,
    warmupCpuUsPerWrite: warmup ? (warmup.engineCpuMs * 1000) / warmup.acked : null,
    schedulerUsPerEvent: baseline ? schedulerUsPerEvent() : NaN,
    eventsPerWrite: run.events / acked,
    writesPerSec,
    baselineMs,
    baselineCpuMs,
    baselinePerSec,
    ratio: writesPerSec / baselinePerSec,
    hashMs,
    hashesEqual: hashes ? hashes.V11 === hashes.V12 && hashes.V12 === hashes.V22 : null,
  };
}

/**
 * Runs `body` under V8's CPU profiler when `file` is given and writes the profile there (a .cpuprofile), so that a
 * profile covers the timed run only, not the warm-up before it. The in-process inspector session answers synchronously.
 */
function profiled<T>(file: string | undefined, body: () => T): T {
  if (!file) return body();
  const session = new inspector.Session();
  session.connect();
  const keep = (err: Error | null, answer: { profile: object }): void => {
    if (err) throw err;
    writeFileSync(file, JSON.stringify(answer.profile));
  };
  let stop: () => void;
  if (file.endsWith('.heapprofile')) {
    // Allocation sampling instead (every 4 KiB allocated, including what the young generation collects).
    session.post('HeapProfiler.enable');
    session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    stop = () => session.post('HeapProfiler.stopSampling', keep);
  } else {
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 100 });
    session.post('Profiler.start');
    stop = () => session.post('Profiler.stop', keep);
  }
  const result = body();
  stop();
  session.disconnect();
  return result;
}

/** One timed run of FIG. 1 as shipped, settled first, then `writes` sequential 4 KiB writes at 10k IOPS until settled. */
function datapathRun(writes: number): { engine: Engine; acked: number; events: number; engineMs: number; engineCpuMs: number; settled: boolean; storedBytesAdded: number } {
  const iops = 10_000;
  const engine = settledEngine(loadFigure(FIG1));
  const before = storedBytes(engine);
  const durationUs = (writes / iops) * 1e6;
  const eventsBefore = engine.sched.executed;
  const c0 = process.cpuUsage();
  const t0 = now();
  engine.workloadsStopUs = engine.nowUs + durationUs;
  engine.startWorkloads({ iops, blockBytes: 4096, pattern: 'sequential', readRatio: 0 });
  engine.runUntil(engine.nowUs + durationUs);
  const settled = engine.runUntilSettled(engine.nowUs + 3_600e6);
  const engineMs = now() - t0;
  const engineCpuMs = cpuMs(c0);
  const acked = engine.hostTotals().reduce((s, h) => s + h.writesAcked, 0);
  return { engine, acked, events: engine.sched.executed - eventsBefore, engineMs, engineCpuMs, settled, storedBytesAdded: storedBytes(engine) - before };
}

// ------------------------------------------------------------------ 2. differential copy

/** Wall ms of a resync after `changed` tracks were written on the split primary, on FIG. 1 at `sizeBytes`. */
function resyncOnce(sizeBytes: number, changed: number, verify: boolean): { ms: number; tracksSent: number; state: string; equal: boolean } {
  const t = sizeBytes === GIB ? withoutInitialFill(loadFigure(FIG1)) : scaled(loadFigure(FIG1), GIB, sizeBytes);
  const engine = settledEngine(t);
  const split = engine.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
  if (!split.ok) throw new Error(`split refused: ${split.reason}`);
  const pair = engine.pairs.get('pair-sync')!;
  const trackBytes = pair.trackBytes;
  const stride = Math.floor(sizeBytes / trackBytes / changed);
  for (let i = 0; i < changed; i++) {
    const r = engine.hostWrite('host1', 'LU11', i * stride * trackBytes, pattern(4096, i + 1), false);
    if (!r.ok) throw new Error(r.reason);
  }
  engine.runUntilSettled(FAR_US);
  const sentBefore = pair.copy.tracksSent;
  const c0 = process.cpuUsage();
  const r = engine.command({ type: 'pair', pairId: 'pair-sync', op: 'resync' });
  if (!r.ok) throw new Error(`resync refused: ${r.reason}`);
  engine.runUntilSettled(FAR_US);
  // CPU time: the bench machine is shared, wall time would count other processes.
  const ms = cpuMs(c0);
  const equal = !verify || engine.volumeHash('V11') === engine.volumeHash('V12');
  return { ms, tracksSent: pair.copy.tracksSent - sentBefore, state: pair.state, equal };
}

function resync(): Record<string, unknown> {
  const changed = 1000;
  const small: ReturnType<typeof resyncOnce>[] = [];
  const huge: ReturnType<typeof resyncOnce>[] = [];
  // One untimed round first (V8 compiles the copy path on it), then nine interleaved so drift (GC, heat) hits both
  // sizes alike. Since a resync costs ~15-30 ms (stop 23), a collection landing in one moves it by half: a median of
  // three moved the ratio between 0.9x and 1.7x from run to run.
  resyncOnce(GIB, changed, false);
  resyncOnce(64 * TIB, changed, false);
  for (let r = 0; r < 9; r++) {
    small.push(resyncOnce(GIB, changed, r === 0));
    huge.push(resyncOnce(64 * TIB, changed, r === 0));
  }
  const smallMs = median(small.map((x) => x.ms));
  const hugeMs = median(huge.map((x) => x.ms));
  return {
    case: 'resync',
    changedTracks: changed,
    smallCpuMs: smallMs,
    hugeCpuMs: hugeMs,
    ratio: hugeMs / smallMs,
    tracksSent: { small: small[0]!.tracksSent, huge: huge[0]!.tracksSent },
    states: { small: small[0]!.state, huge: huge[0]!.state },
    equal: small.every((x) => x.equal) && huge.every((x) => x.equal),
  };
}

/** Initial copy of FIG. 1 at 64 TiB per volume with 256 scattered 4 KiB writes preloaded on V11. */
function initialCopy(): Record<string, unknown> {
  const t = scaled(loadFigure(FIG1), GIB, 64 * TIB);
  const b0 = now();
  const engine = new Engine(t, { seed: 1 });
  const buildMs = now() - b0;
  const written = 256;
  const trackBytes = engine.pairs.get('pair-sync')!.trackBytes;
  const stride = Math.floor((64 * TIB) / trackBytes / written);
  for (let i = 0; i < written; i++) engine.preload('V11', i * stride * trackBytes + 8192, pattern(4096, i + 1));
  const t0 = now();
  const c0 = process.cpuUsage();
  const settled = engine.runUntilSettled(FAR_US);
  const copyMs = now() - t0;
  const copyCpuMs = cpuMs(c0);
  return {
    case: 'initial',
    capacityBytes: 64 * TIB,
    writtenTracks: written,
    buildMs,
    copyMs,
    copyCpuMs,
    settled,
    virtualSeconds: engine.nowUs / 1e6,
    states: pairStates(engine),
    tracksSent: engine.pairs.get('pair-sync')!.copy.tracksSent,
    equal: engine.volumeHash('V11') === engine.volumeHash('V22'),
  };
}

// ------------------------------------------------------------------ 3. virtual time

/**
 * FIG. 12 at 10,000 IOPS for argv[3] virtual seconds after its initial copies, CPU time of the run. `--warmup=S` first
 * runs S virtual seconds the same way on a throwaway engine, untimed but reported (as the data path's warm-up: a cold
 * process's first ~100,000 writes cost far more than the rest while V8 tiers the code up).
 */
function virtualTime(): Record<string, unknown> {
  const warmupSeconds = Number(process.argv.find((a) => a.startsWith('--warmup='))?.slice(9) ?? 0);
  const warmup = warmupSeconds > 0 ? virtualRun(warmupSeconds) : undefined;
  return { ...virtualRun(Number(process.argv[3] ?? 1)), warmupSeconds, warmupCpuUsPerWrite: warmup ? warmup.cpuUsPerWrite : null };
}

function virtualRun(virtualSeconds: number): Record<string, unknown> & { cpuUsPerWrite: number } {
  const iops = 10_000;
  // The figure's own access pattern (random) unless one is named: random writes touch a new track nearly every time.
  const pattern = (process.argv[4] && !process.argv[4].startsWith('--') ? process.argv[4] : 'random') as 'random' | 'sequential';
  const engine = settledEngine(loadFigure(FIG12));
  const start = engine.nowUs;
  const end = start + virtualSeconds * 1e6;
  engine.workloadsStopUs = end;
  const t0 = now();
  const c0 = process.cpuUsage();
  const events0 = engine.sched.executed;
  engine.startWorkloads({ iops, blockBytes: 4096, pattern, readRatio: 0 });
  engine.runUntil(end);
  const events = engine.sched.executed - events0;
  const wallMs = now() - t0;
  const cpu = cpuMs(c0);
  const acked = engine.hostTotals().reduce((s, h) => s + h.writesAcked, 0);
  return {
    case: 'virtual',
    iops,
    pattern,
    virtualSeconds,
    wallMs,
    cpuMs: cpu,
    speedup: (virtualSeconds * 1000) / wallMs,
    speedupCpu: (virtualSeconds * 1000) / cpu,
    writesAcked: acked,
    eventsPerWrite: events / acked,
    cpuUsPerWrite: (cpu * 1000) / acked,
    states: pairStates(engine),
  };
}

// ------------------------------------------------------------------ 7. longer runs, hash included

/**
 * What `relaylab simulate` of FIG. 12 with `--workload iops=10000,block=4k` costs for `seconds` of virtual time: the
 * run, the settling and the sha256 of every volume at the end (node:crypto, as the CLI), CPU time of this process.
 * The target compares two lengths: 20 s may cost at most 1 s of CPU (1/20 of its virtual time) beyond 5 s.
 */
async function longerRun(): Promise<Record<string, unknown>> {
  const { createHash } = await import('node:crypto');
  const seconds = Number(process.argv[3] ?? 5);
  const sha256 = (d: Uint8Array): Uint8Array => createHash('sha256').update(d).digest();
  const topology = loadFigure(FIG12);
  const c0 = process.cpuUsage();
  const engine = new Engine(topology, { seed: 1, sha256 });
  engine.workloadsStopUs = seconds * 1e6;
  engine.startWorkloads({ iops: 10_000, blockBytes: 4096 });
  engine.runUntil(seconds * 1e6);
  const runMs = cpuMs(c0);
  const settled = engine.runUntilSettled(seconds * 1e6 + 3600e6);
  const c1 = process.cpuUsage();
  const hashes = topology.volumes.map((v) => engine.volumeHash(v.id));
  const hashMs = cpuMs(c1);
  return {
    case: 'longer',
    virtualSeconds: seconds,
    cpuMs: cpuMs(c0),
    runCpuMs: runMs,
    hashCpuMs: hashMs,
    settled,
    writesAcked: engine.hostTotals().reduce((s, h) => s + h.writesAcked, 0),
    events: engine.sched.executed,
    rssBytes: process.memoryUsage().rss,
    equalHashes: hashes.every((h) => h === hashes[0]),
  };
}

// ------------------------------------------------------------------ 4. memory

/** FIG. 1 at 64 TiB per volume; the host writes 1 GiB in 256 KiB blocks at scattered track-aligned offsets. */
function memory(): Record<string, unknown> {
  const t = scaled(loadFigure(FIG1), GIB, 64 * TIB);
  const engine = settledEngine(t);
  const block = 256 * 1024;
  const writes = GIB / block;
  const tracks = (64 * TIB) / block;
  const stride = Math.floor(tracks / writes);
  let issued = 0;
  // Issue in batches so the journal and caches work as they would under a steady host, not all at once.
  while (issued < writes) {
    for (let i = 0; i < 256 && issued < writes; i++, issued++) {
      const r = engine.hostWrite('host1', 'LU11', issued * stride * block, pattern(block, issued + 1), false);
      if (!r.ok) throw new Error(r.reason);
    }
    engine.runFor(50_000);
  }
  engine.runUntilSettled(FAR_US);
  globalThis.gc?.();
  const mem = process.memoryUsage();
  const capacity = [...engine.stack.volumes.keys()].reduce((s, id) => s + engine.stack.sizeOf(id), 0);
  return {
    case: 'memory',
    hostWrittenBytes: writes * block,
    virtualCapacityBytes: capacity,
    storedBytes: storedBytes(engine),
    rssBytes: mem.rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: mem.heapUsed,
    arrayBuffersBytes: mem.arrayBuffers,
    states: pairStates(engine),
  };
}

// ------------------------------------------------------------------ 6. live streaming

/**
 * Engine throughput (events and virtual time per wall second) on 24 copies of FIG. 1 (216 volumes), with and without
 * producing and JSON-serialising a snapshot every 1/30 s of wall time, as the driver does; phases alternate so drift
 * cancels.
 */
function snapshots(): Record<string, unknown> {
  const copies = 24;
  const t = replicated(loadFigure(FIG1), copies);
  const engine = settledEngine(t);
  engine.startWorkloads({ iops: 400, blockBytes: 4096, pattern: 'sequential', readRatio: 0 });
  const phaseMs = 1000;
  let lastSeq = 0;
  let snapshotsTaken = 0;
  let snapshotBytes = 0;
  let snapshotMs = 0;
  let snapshotCpuMs = 0;
  let liveCpuMs = 0;
  const phase = (withSnapshots: boolean): { events: number; virtualUs: number; cpuMs: number } => {
    const e0 = engine.sched.executed;
    const v0 = engine.nowUs;
    const c0 = process.cpuUsage();
    const t0 = now();
    let lastEmit = t0;
    for (;;) {
      for (let i = 0; i < 2000; i++) engine.sched.runNext(FAR_US);
      const t = now();
      if (withSnapshots && t - lastEmit >= 1000 / 30) {
        lastEmit = t;
        const s0 = now();
        const sc0 = process.cpuUsage();
        const s = engine.snapshot({ running: true, speed: 1, afterSeq: lastSeq });
        lastSeq = engine.lastStepSeq;
        snapshotBytes += JSON.stringify(s).length;
        snapshotCpuMs += cpuMs(sc0);
        snapshotMs += now() - s0;
        snapshotsTaken++;
      }
      if (t - t0 >= phaseMs) break;
    }
    const spent = cpuMs(c0);
    if (withSnapshots) liveCpuMs += spent;
    return { events: engine.sched.executed - e0, virtualUs: engine.nowUs - v0, cpuMs: spent };
  };
  phase(false); // warm-up
  const plain: number[] = [];
  const live: number[] = [];
  // ABBA order: the heap grows as the run goes on, so a fixed plain-then-live order would bias against live.
  for (const withSnapshots of [false, true, true, false, false, true, true, false]) {
    const p = phase(withSnapshots);
    (withSnapshots ? live : plain).push(p.events / p.cpuMs);
  }
  const plainRate = median(plain);
  const liveRate = median(live);
  // The snapshot's own cost, isolated: 100 back-to-back snapshots + serialisations of the running engine's state.
  // At 30 a second on a core the engine otherwise has to itself, that cost over one second is the share it takes.
  const i0 = process.cpuUsage();
  for (let i = 0; i < 100; i++) JSON.stringify(engine.snapshot({ running: true, speed: 1, afterSeq: engine.lastStepSeq }));
  const isolatedMs = cpuMs(i0) / 100;
  return {
    case: 'snapshots',
    volumes: t.volumes.length,
    elements: elementCount(t),
    pairs: t.pairs.length,
    eventsPerCpuMsPlain: plainRate,
    eventsPerCpuMsLive: liveRate,
    // In-run share: CPU spent inside snapshots during the live phases (it also absorbs GC of the engine's own garbage
    // that happens to land there); throughput drop: events per CPU ms, live vs plain (noisiest).
    cost: (30 * isolatedMs) / 1000,
    isolatedSnapshotCpuMs: isolatedMs,
    inRunShare: snapshotCpuMs / liveCpuMs,
    throughputDrop: 1 - liveRate / plainRate,
    snapshotCpuMs: snapshotCpuMs / snapshotsTaken,
    snapshotsTaken,
    meanSnapshotMs: snapshotMs / snapshotsTaken,
    meanSnapshotBytes: snapshotBytes / snapshotsTaken,
  };
}

// ------------------------------------------------------------------ seek

/**
 * Seek backwards in a long FIG. 1 run (its 800 IOPS workload) through the driver the UI uses: run to `minutes` of
 * virtual time, then seek back to a moment near the end and to the middle. Reported next to the cost of replaying
 * from 0 to the end in the same run (issue 15 item 4's target: a seek back under 10% of a replay from 0).
 */
function seek(): Record<string, unknown> {
  const minutes = Number(process.argv[3] ?? 10);
  const endMs = minutes * 60_000;
  const driver = createEngineDriver({ nowMs: now, setTimer: () => () => undefined, emitSnapshot: () => undefined });
  const loaded = driver.load(JSON.parse(serializeTopology(loadFigure(FIG1))), 1);
  if (!loaded.loaded) throw new Error(JSON.stringify(loaded.problems));
  const timed = (f: () => void): number => {
    const c0 = process.cpuUsage();
    f();
    return cpuMs(c0);
  };
  const heap0 = process.memoryUsage().heapUsed;
  const replayFrom0CpuMs = timed(() => driver.control({ action: 'runFor', virtualMs: endMs }));
  const rewind = driver.snapshot().rewind;
  const heapAtEnd = process.memoryUsage().heapUsed;
  // Several moments, back and forth: near the end, three quarters, the middle, a quarter, the first seconds.
  const targetsMs = [endMs - 1000, endMs * 0.75 + 3_700, endMs / 2 + 1_300, endMs / 4 + 900, 10_000];
  const seeks = targetsMs.map((timeMs) => {
    // The checkpoint it restores (the latest at or before the target): the seek replays from there.
    const fromUs = Math.max(...(driver.snapshot().rewind?.checkpointsUs ?? [0]).filter((t) => t <= timeMs * 1000));
    const cpuMs = timed(() => driver.control({ action: 'seek', timeMs }));
    return { toMs: timeMs, fromS: Math.round(fromUs / 1e5) / 10, cpuMs, ratio: cpuMs / replayFrom0CpuMs, reachedMs: driver.snapshot().timeUs / 1000 };
  });
  const forwardAgainCpuMs = timed(() => driver.control({ action: 'seek', timeMs: endMs }));
  const worst = Math.max(...seeks.map((s) => s.ratio));
  return {
    case: 'seek',
    minutes,
    replayFrom0CpuMs,
    seeks,
    backToNearEndCpuMs: seeks[0]!.cpuMs,
    backToMiddleCpuMs: seeks[2]!.cpuMs,
    forwardAgainCpuMs,
    seekRatio: worst,
    checkpoints: rewind?.checkpointsUs.length ?? 0,
    checkpointTimesS: rewind?.checkpointsUs.map((t) => Math.round(t / 1e6)) ?? [],
    // The longest stretch a seek may have to replay (between kept checkpoints, or from the last one to the end).
    maxGapS: Math.round(Math.max(...[...(rewind?.checkpointsUs ?? []), endMs * 1000].map((t, i, all) => (i ? t - all[i - 1]! : 0))) / 1e5) / 10,
    heapGrowthMb: (heapAtEnd - heap0) / 2 ** 20,
    endedAtMs: driver.snapshot().timeUs / 1000,
  };
}

/** Writes the canvas bench's topology (24 copies of FIG. 1, about 1,000 elements) to argv[3]. */
function writeTopology(): Record<string, unknown> {
  const copies = Number(process.argv[4] ?? 24);
  const t = replicated(loadFigure(FIG1), copies);
  const file = process.argv[3] ?? 'bench-1000.relaylab.json';
  writeFileSync(file, serializeTopology(t));
  return { case: 'topology', file, copies, elements: elementCount(t), volumes: t.volumes.length };
}

const cases: Record<string, () => Record<string, unknown> | Promise<Record<string, unknown>>> = {
  topology: writeTopology,
  datapath: () => datapath(Number(process.argv[3] ?? 20_000), !process.argv.includes('--no-verify'), !process.argv.includes('--no-baseline'), Number(process.argv.find((a) => a.startsWith('--warmup='))?.slice(9) ?? 0)),
  resync,
  initial: initialCopy,
  virtual: virtualTime,
  memory,
  snapshots,
  longer: longerRun,
  seek,
};

const name = process.argv[2] ?? '';
const run = cases[name];
if (!run) {
  console.error(`usage: engine.mjs <${Object.keys(cases).join('|')}> [args]`);
  process.exit(2);
}
console.log(JSON.stringify(await run()));
