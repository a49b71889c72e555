// Parses `relaylab simulate` arguments (--duration, --seed, --fault, --workload, --trace, --json) into runSimulation options, and trace CSV files, with typed errors.
import type { EngineCommand } from '../../app/engine/api';
import { MAX_TRACE_RECORDS, type Topology, type TraceRecord, type Workload } from '../../app/model/schema';
import type { SimulateOptions, TimedFault } from './headless';
import type { WorkloadOverride } from './engine';

/** A bad simulate argument: which one, and why. */
export class SimulateArgsError extends Error {
  constructor(
    readonly arg: string,
    readonly why: string,
  ) {
    super(`${arg}: ${why}`);
    this.name = 'SimulateArgsError';
  }
}

export interface SimulateArgs {
  /** Positional arguments (the topology file). */
  files: string[];
  json: boolean;
  options: SimulateOptions;
  /** `--trace` files to replay, in argument order (the caller reads them; see parseTraceCsv and applyTrace). */
  traces: TraceArg[];
}

/** `--trace FILE` (the first host's first workload) or `--trace HOST:WORKLOAD=FILE`. */
export interface TraceArg {
  file: string;
  target?: { hostId: string; workloadId: string };
}

/** A trace file line the parser cannot use: the file, the 1-based line, and why. */
export class TraceCsvError extends SimulateArgsError {
  constructor(
    readonly file: string,
    readonly line: number,
    why: string,
  ) {
    super(`--trace ${file}`, line > 0 ? `line ${line}: ${why}` : why);
    this.name = 'TraceCsvError';
  }
}

const ID = /^[A-Za-z0-9_.-]+$/;

/** "60s", "500ms", "2m", "1h", "1.5s"; a bare number is seconds. */
export function parseDurationMs(text: string, arg: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new SimulateArgsError(arg, `"${text}" is not a duration (e.g. 60s, 500ms, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
  if (!Number.isFinite(ms)) throw new SimulateArgsError(arg, `"${text}" is too large`);
  return ms;
}

/** "4096", "4k", "64KiB", "1m", "1MiB" into bytes. */
export function parseBytes(text: string, arg: string): number {
  const m = /^(\d+)\s*(k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(text.trim());
  if (!m) throw new SimulateArgsError(arg, `"${text}" is not a size (e.g. 4k, 64KiB, 1MiB)`);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  const bytes = Number(m[1]) * mult;
  if (bytes <= 0 || !Number.isSafeInteger(bytes)) throw new SimulateArgsError(arg, `"${text}" must be a positive size`);
  return bytes;
}

const FAULT_KEYS: Record<string, (id: string) => EngineCommand> = {
  cut: (id) => ({ type: 'cutCable', cableId: id }),
  restore: (id) => ({ type: 'restoreCable', cableId: id }),
  failSystem: (id) => ({ type: 'failSystem', systemId: id }),
  restoreSystem: (id) => ({ type: 'restoreSystem', systemId: id }),
  failSite: (id) => ({ type: 'failSite', siteId: id }),
  restoreSite: (id) => ({ type: 'restoreSite', siteId: id }),
  fillJournal: (id) => ({ type: 'fillJournal', pairId: id }),
  fillCache: (id) => ({ type: 'fillCache', cacheId: id }),
  create: (id) => ({ type: 'pair', pairId: id, op: 'create' }),
  split: (id) => ({ type: 'pair', pairId: id, op: 'split' }),
  resync: (id) => ({ type: 'pair', pairId: id, op: 'resync' }),
  takeover: (id) => ({ type: 'pair', pairId: id, op: 'takeover' }),
  swapResync: (id) => ({ type: 'pair', pairId: id, op: 'swapResync' }),
  failback: (id) => ({ type: 'pair', pairId: id, op: 'failback' }),
  delete: (id) => ({ type: 'pair', pairId: id, op: 'delete' }),
  liftFence: (id) => ({ type: 'pair', pairId: id, op: 'liftFence' }),
  deltaResync: (id) => ({ type: 'pair', pairId: id, op: 'deltaResync' }),
};

function keyValues(text: string, arg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SimulateArgsError(arg, `"${part}" is not key=value`);
    const key = part.slice(0, eq).trim();
    if (out.has(key)) throw new SimulateArgsError(arg, `"${key}" given twice`);
    out.set(key, part.slice(eq + 1).trim());
  }
  return out;
}

/** `--fault at=10s,cut=CN4`: one time and one action. */
export function parseFault(text: string): TimedFault {
  const arg = `--fault ${text}`;
  const kv = keyValues(text, arg);
  const at = kv.get('at');
  if (at === undefined) throw new SimulateArgsError(arg, 'missing at=TIME');
  kv.delete('at');
  if (kv.size !== 1) throw new SimulateArgsError(arg, `one action expected (${Object.keys(FAULT_KEYS).join(', ')}), got ${kv.size}`);
  const [key, id] = [...kv.entries()][0]!;
  const make = FAULT_KEYS[key];
  if (!make) throw new SimulateArgsError(arg, `unknown action "${key}"; use one of ${Object.keys(FAULT_KEYS).join(', ')}`);
  if (!ID.test(id)) throw new SimulateArgsError(arg, `"${id}" is not an element id`);
  return { atMs: parseDurationMs(at, arg), command: make(id) };
}

/** `--workload iops=5000,block=4k,read=0.3,pattern=hotspot`: overrides every host's workloads. */
export function parseWorkload(text: string): WorkloadOverride {
  const arg = `--workload ${text}`;
  const out: WorkloadOverride = {};
  for (const [key, value] of keyValues(text, arg)) {
    if (key === 'iops') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || n > 10_000_000) throw new SimulateArgsError(arg, `iops "${value}" must be between 0 and 10,000,000`);
      out.iops = n;
    } else if (key === 'block') out.blockBytes = parseBytes(value, arg);
    else if (key === 'read') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || n > 1) throw new SimulateArgsError(arg, `read "${value}" must be a share between 0 and 1`);
      out.readRatio = n;
    } else if (key === 'pattern') {
      if (value !== 'random' && value !== 'sequential' && value !== 'hotspot') throw new SimulateArgsError(arg, `pattern "${value}" must be random, sequential or hotspot`);
      out.pattern = value satisfies Workload['pattern'];
    } else throw new SimulateArgsError(arg, `unknown key "${key}" (iops, block, read, pattern)`);
  }
  return out;
}

/** `HOST:WORKLOAD=FILE` or just `FILE`. */
export function parseTraceArg(text: string): TraceArg {
  const m = /^([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+)=(.+)$/.exec(text);
  if (m) return { file: m[3]!, target: { hostId: m[1]!, workloadId: m[2]! } };
  if (text.trim() === '') throw new SimulateArgsError('--trace', 'needs a file (FILE.csv or HOST:WORKLOAD=FILE.csv)');
  return { file: text };
}

/** Column names a trace header may use, and how each turns into the record's field. */
const TIME_COLUMNS: Record<string, number> = { atus: 1, time_us: 1, atms: 1000, time_ms: 1000, ats: 1e6, time: 1e6, time_s: 1e6, timestamp: 1e6 };
const OFFSET_COLUMNS: Record<string, number> = { offsetbytes: 1, offset: 1, sector: 512, lba: 512 };
const LENGTH_COLUMNS: Record<string, number> = { lengthbytes: 1, length: 1, bytes: 1, size: 1, blocks: 512, sectors: 512 };
const OP_COLUMNS = new Set(['op', 'rw', 'rwbs', 'action', 'type']);

/**
 * Parses a trace CSV. Without a header the columns are atUs,op,offsetBytes,lengthBytes. A header may name them in any
 * order, with blktrace-like alternatives: time in s (time, timestamp), ms (atMs) or us; offset in bytes or 512-byte
 * sectors (sector, lba); length in bytes or sectors (blocks, sectors); op as read/write, R/W or blkparse's RWBS (WS, RA:
 * the first R or W counts). Blank lines and lines starting with # are skipped. At most MAX_TRACE_RECORDS records.
 */
export function parseTraceCsv(text: string, file: string): TraceRecord[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let columns = { time: 0, op: 1, offset: 2, length: 3 };
  let scale = { time: 1, offset: 1, length: 1 };
  const records: TraceRecord[] = [];
  let headerSeen = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (!headerSeen && records.length === 0 && cells.every((c) => !/^[\d.]/.test(c))) {
      // The first line names the columns (a data line always has numbers).
      headerSeen = true;
      const find = (names: (name: string) => boolean, what: string): number => {
        const i = cells.findIndex((c) => names(c.toLowerCase()));
        if (i < 0) throw new TraceCsvError(file, n + 1, `the header has no ${what} column (${cells.join(',')})`);
        return i;
      };
      columns = {
        time: find((c) => c in TIME_COLUMNS, 'time (atUs, atMs, time)'),
        op: find((c) => OP_COLUMNS.has(c), 'op (op, rw)'),
        offset: find((c) => c in OFFSET_COLUMNS, 'offset (offsetBytes, sector)'),
        length: find((c) => c in LENGTH_COLUMNS, 'length (lengthBytes, bytes, blocks)'),
      };
      scale = {
        time: TIME_COLUMNS[cells[columns.time]!.toLowerCase()]!,
        offset: OFFSET_COLUMNS[cells[columns.offset]!.toLowerCase()]!,
        length: LENGTH_COLUMNS[cells[columns.length]!.toLowerCase()]!,
      };
      continue;
    }
    if (records.length >= MAX_TRACE_RECORDS) throw new TraceCsvError(file, n + 1, `more than ${MAX_TRACE_RECORDS} records; split the trace`);
    const cell = (i: number, what: string): string => {
      const c = cells[i];
      if (c === undefined || c === '') throw new TraceCsvError(file, n + 1, `no ${what} (expected ${Math.max(...Object.values(columns)) + 1} columns)`);
      return c;
    };
    const number = (i: number, what: string): number => {
      const c = cell(i, what);
      const v = Number(c);
      if (!/^\d+(\.\d+)?(e\d+)?$/i.test(c) || !Number.isFinite(v)) throw new TraceCsvError(file, n + 1, `${what} "${c}" is not a number >= 0`);
      return v;
    };
    const opText = cell(columns.op, 'op');
    // blkparse's RWBS is upper-case letters (WS, RA, FWS); D (discard) and the like are neither read nor write.
    const rw = /^read$/i.test(opText) ? 'R' : /^write$/i.test(opText) ? 'W' : /^[rw]$/.test(opText) ? opText.toUpperCase() : /^[A-Z]+$/.test(opText) ? /[RW]/.exec(opText)?.[0] : undefined;
    if (rw === undefined) throw new TraceCsvError(file, n + 1, `op "${opText}" is neither read nor write (read, write, R, W, or an RWBS like WS)`);
    const atUs = number(columns.time, 'time') * scale.time;
    const offsetBytes = number(columns.offset, 'offset') * scale.offset;
    const lengthBytes = number(columns.length, 'length') * scale.length;
    if (!Number.isSafeInteger(offsetBytes)) throw new TraceCsvError(file, n + 1, `offset ${offsetBytes} is not a whole number of bytes`);
    if (!Number.isSafeInteger(lengthBytes) || lengthBytes <= 0) throw new TraceCsvError(file, n + 1, `length ${lengthBytes} is not a whole number of bytes > 0`);
    if (lengthBytes > 64 * 1024 * 1024) throw new TraceCsvError(file, n + 1, `length ${lengthBytes} is over 64 MiB`);
    records.push({ atUs, op: rw === 'R' ? 'read' : 'write', offsetBytes, lengthBytes });
  }
  if (records.length === 0) throw new TraceCsvError(file, 0, 'the trace has no records');
  return records;
}

/**
 * Returns the topology with the trace on the named workload (or the first host's first workload), replacing its
 * synthetic pattern. Offsets are checked afterwards by validation ('trace-out-of-range').
 */
export function applyTrace(topology: Topology, arg: TraceArg, records: TraceRecord[]): Topology {
  const where = `--trace ${arg.target ? `${arg.target.hostId}:${arg.target.workloadId}=` : ''}${arg.file}`;
  const hostIndex = arg.target ? topology.hosts.findIndex((h) => h.id === arg.target!.hostId) : topology.hosts.findIndex((h) => h.workloads.length > 0);
  const host = topology.hosts[hostIndex];
  if (!host) throw new SimulateArgsError(where, arg.target ? `no host ${arg.target.hostId} in ${topology.name}` : `no host of ${topology.name} has a workload to replay the trace on`);
  const workloadIndex = arg.target ? host.workloads.findIndex((w) => w.id === arg.target!.workloadId) : 0;
  if (workloadIndex < 0) throw new SimulateArgsError(where, `host ${host.id} has no workload ${arg.target!.workloadId} (it has ${host.workloads.map((w) => w.id).join(', ') || 'none'})`);
  const hosts = topology.hosts.map((h, i) =>
    i === hostIndex ? { ...h, workloads: h.workloads.map((w, j) => (j === workloadIndex ? { ...w, trace: { records, loop: false } } : w)) } : h,
  );
  return { ...topology, hosts };
}

export function parseSimulateArgs(argv: string[]): SimulateArgs {
  const files: string[] = [];
  let json = false;
  let durationMs = 60_000;
  let seed: number | undefined;
  const faults: TimedFault[] = [];
  let workloadOverride: WorkloadOverride | undefined;
  const traces: TraceArg[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new SimulateArgsError(flag, 'needs a value');
      return v;
    };
    switch (flag) {
      case '--json':
        json = true;
        break;
      case '--duration':
        durationMs = parseDurationMs(value(), flag);
        if (durationMs <= 0) throw new SimulateArgsError(flag, 'must be longer than zero');
        break;
      case '--seed': {
        const v = value();
        if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new SimulateArgsError(flag, `"${v}" is not a whole number >= 0`);
        seed = Number(v);
        break;
      }
      case '--fault':
        faults.push(parseFault(value()));
        break;
      case '--workload':
        workloadOverride = { ...workloadOverride, ...parseWorkload(value()) };
        break;
      case '--trace':
        traces.push(parseTraceArg(value()));
        break;
      default:
        if (flag.startsWith('-')) throw new SimulateArgsError(flag, 'unknown option (--duration, --seed, --fault, --workload, --trace, --json)');
        files.push(a);
    }
  }
  for (const f of faults) if (f.atMs > durationMs) throw new SimulateArgsError('--fault', `at=${f.atMs / 1000}s is after the end of the run (${durationMs / 1000}s)`);
  const options: SimulateOptions = { durationMs, faults };
  if (seed !== undefined) options.seed = seed;
  if (workloadOverride) options.workloadOverride = workloadOverride;
  return { files, json, options, traces };
}
