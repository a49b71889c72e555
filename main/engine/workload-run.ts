// Running the hosts' workloads: Poisson arrivals of synthetic reads/writes from the seeded PRNG, and trace replay one record at a time.
import type { EngineState } from './state';
import type { TraceRecord, Workload, WorkloadTrace } from '../../app/model/schema';
import { hostRead } from './reads';
import { MAX_HOST_OUTSTANDING, type HostRt, type WorkloadOverride } from './state';
import { traceSchedule } from './workload';
import { issueWrite, traceWorkload } from './host-write';
import { defineEvent } from './sim';

/** A synthetic workload's next arrival: the host, its workload, its sequential cursor, mean gap and end. */
interface WorkloadTickRec {
  h: HostRt;
  w: Workload;
  state: { seqOffset: number };
  meanGap: number;
  endUs: number;
}
const WORKLOAD_TICK = defineEvent<EngineState, WorkloadTickRec>('workload-tick', (core, r) => {
  if (core.nowUs >= r.endUs || core.nowUs >= core.workloadsStopUs) return;
  if (core.workloadsEnabled && !r.h.failed) issueWorkloadIo(core, r.h, r.w, r.state);
  core.sched.post(core.nowUs + core.prng.nextExp(r.meanGap), WORKLOAD_TICK, r);
});

/** A trace's next record (`k` of pass `pass`). */
interface TraceNextRec {
  h: HostRt;
  w: Workload;
  s: ReturnType<typeof traceSchedule>;
  startUs: number;
  endUs: number;
  k: number;
  pass: number;
}
const TRACE_RECORD = defineEvent<EngineState, TraceNextRec>('trace-record', (core, r) => {
  if (core.nowUs >= core.workloadsStopUs) return;
  if (core.workloadsEnabled && !r.h.failed) issueTraceRecord(core, r.h, r.w, r.s.records[r.k]!);
  // The record left the heap before this ran: it carries on as the next one.
  if (r.k + 1 < r.s.records.length) {
    r.k++;
    nextTraceRecord(core, r);
  } else if (r.s.loop) {
    r.k = 0;
    r.pass++;
    nextTraceRecord(core, r);
  }
});

function nextTraceRecord(core: EngineState, r: TraceNextRec): void {
  const atUs = r.startUs + r.pass * r.s.periodUs + r.s.records[r.k]!.atUs;
  if (atUs >= r.endUs || atUs >= core.workloadsStopUs) return;
  core.sched.post(Math.max(core.nowUs, atUs), TRACE_RECORD, r);
}

/** Starts the workloads of every host (Poisson arrivals from the seeded PRNG). */
export function startWorkloads(core: EngineState, override?: WorkloadOverride): void {
  core.workloadOverride = override;
  for (const h of core.hosts.values()) {
    for (const w of h.host.workloads) {
      if (w.trace) {
        replayTrace(core, h, w, w.trace);
        continue;
      }
      const iops = override?.iops ?? w.iops;
      if (iops <= 0) continue;
      const startUs = w.startMs * 1000;
      const endUs = w.durationMs !== undefined ? startUs + w.durationMs * 1000 : Infinity;
      core.sched.post(Math.max(core.nowUs, startUs), WORKLOAD_TICK, { h, w, state: { seqOffset: 0 }, meanGap: 1e6 / iops, endUs });
    }
  }
}

export function issueWorkloadIo(core: EngineState, h: HostRt, w: Workload, state: { seqOffset: number }): void {
  const o = core.workloadOverride;
  const lu = core.stack.lus.get(w.luId);
  if (!lu) return;
  const block = Math.min(o?.blockBytes ?? w.blockBytes, lu.sizeBytes);
  const blocks = Math.max(1, Math.floor(lu.sizeBytes / block));
  const readRatio = o?.readRatio ?? w.readRatio;
  const pattern = o?.pattern ?? w.pattern;
  let index: number;
  if (pattern === 'sequential') index = state.seqOffset++ % blocks;
  else if (pattern === 'hotspot') {
    const hot = Math.max(1, Math.floor(blocks * w.hotspotFraction));
    index = core.prng.nextFloat() < 0.8 ? core.prng.nextInt(hot) : core.prng.nextInt(blocks);
  } else index = core.prng.nextInt(blocks);
  if (readRatio > 0 && core.prng.nextFloat() < readRatio) {
    if (h.outstanding < MAX_HOST_OUTSTANDING) hostRead(core, h.host.id, w.luId, index * block, block);
    return;
  }
  if (h.outstanding >= MAX_HOST_OUTSTANDING) return;
  // The bytes stay a recipe until read or hashed (same generator draw, same bytes as filling them now).
  issueWrite(core, h.host.id, w.luId, index * block, core.prng.payload(block), traceWorkload(core, h.host.id));
}

/**
 * Replays a recorded trace: each record at the workload's start plus its time (plus one period per pass when looping),
 * in time order. Only the next record is pending at any time, so a 100,000-record trace costs one scheduler entry.
 */
export function replayTrace(core: EngineState, h: HostRt, w: Workload, trace: WorkloadTrace): void {
  const s = traceSchedule(trace);
  if (s.records.length === 0) return;
  const startUs = w.startMs * 1000;
  const endUs = w.durationMs !== undefined ? startUs + w.durationMs * 1000 : Infinity;
  nextTraceRecord(core, { h, w, s, startUs, endUs, k: 0, pass: 0 });
}

export function issueTraceRecord(core: EngineState, h: HostRt, w: Workload, r: TraceRecord): void {
  if (h.outstanding >= MAX_HOST_OUTSTANDING) return;
  if (r.op === 'read') {
    hostRead(core, h.host.id, w.luId, r.offsetBytes, r.lengthBytes);
    return;
  }
  issueWrite(core, h.host.id, w.luId, r.offsetBytes, core.prng.payload(r.lengthBytes), traceWorkload(core, h.host.id));
}
