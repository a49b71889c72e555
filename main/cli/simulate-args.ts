// `relaylab simulate`: its option spec, and its arguments (--duration, --seed, --fault, --workload, --trace, --json) read into runSimulation options; trace CSV files with errors that name the file and line.
import type { EngineCommand } from '../../app/engine/api';
import { MAX_TRACE_RECORDS, type Topology, type TraceRecord, type Workload } from '../../app/model/schema';
import type { SimulateOptions, TimedFault } from '../engine/headless';
import type { WorkloadOverride } from '../engine/engine';
import { CliUsageError, type CommandSpec, lastValue, parseCommandArgs, parseDuration, parseSize, parseWholeNumber } from './args';

/** A bad simulate argument: which one, and why (the CLI's one usage error). */
export { CliUsageError as SimulateArgsError };

export interface SimulateArgs {
  /** Positional arguments (the topology file). */
  files: string[];
  json: boolean;
  options: SimulateOptions;
  /** `--trace` files to replay, in argument order (the caller reads them; see parseTraceCsv and applyTrace). */
  traces: TraceArg[];
  help: boolean;
}

/** `--trace FILE` (the first host's first workload) or `--trace HOST:WORKLOAD=FILE`. */
export interface TraceArg {
  file: string;
  target?: { hostId: string; workloadId: string };
}

/** A trace file line the parser cannot use: the file, the 1-based line, and why. */
export class TraceCsvError extends CliUsageError {
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

/** The --fault kinds: what each acts on and the engine command it becomes. The help and the README list them from here. */
export const FAULT_KINDS: Readonly<Record<string, { target: string; help: string; command: (id: string) => EngineCommand }>> = {
  cut: { target: 'CABLE', help: 'cut a cable (its links go down)', command: (id) => ({ type: 'cutCable', cableId: id }) },
  restore: { target: 'CABLE', help: 'restore a cut cable', command: (id) => ({ type: 'restoreCable', cableId: id }) },
  failSystem: { target: 'SYSTEM', help: 'fail a storage system', command: (id) => ({ type: 'failSystem', systemId: id }) },
  restoreSystem: { target: 'SYSTEM', help: 'bring a failed system back', command: (id) => ({ type: 'restoreSystem', systemId: id }) },
  failSite: { target: 'SITE', help: 'fail a whole site (its systems and hosts)', command: (id) => ({ type: 'failSite', siteId: id }) },
  restoreSite: { target: 'SITE', help: 'bring a failed site back', command: (id) => ({ type: 'restoreSite', siteId: id }) },
  fillJournal: { target: 'PAIR', help: "fill an async pair's journal to capacity", command: (id) => ({ type: 'fillJournal', pairId: id }) },
  fillCache: { target: 'CACHE', help: 'fill every free slot of a cache', command: (id) => ({ type: 'fillCache', cacheId: id }) },
  create: { target: 'PAIR', help: 'create the pair (initial copy)', command: (id) => ({ type: 'pair', pairId: id, op: 'create' }) },
  split: { target: 'PAIR', help: 'split the pair (PSUS; differences are tracked)', command: (id) => ({ type: 'pair', pairId: id, op: 'split' }) },
  resync: { target: 'PAIR', help: 'resynchronise a split or suspended pair', command: (id) => ({ type: 'pair', pairId: id, op: 'resync' }) },
  takeover: { target: 'PAIR', help: 'take over on the secondary: a swap-takeover when the primary is reachable (flushed, roles swap, stays paired), else SSWS', command: (id) => ({ type: 'pair', pairId: id, op: 'takeover' }) },
  svolTakeover: { target: 'PAIR', help: 'S-VOL takeover (CCI pairsplit -RS): the secondary is writable at once (SSWS), even with the primary reachable', command: (id) => ({ type: 'pair', pairId: id, op: 'takeover', readWrite: true }) },
  swapResync: { target: 'PAIR', help: 'swap primary and secondary and resynchronise', command: (id) => ({ type: 'pair', pairId: id, op: 'swapResync' }) },
  failback: { target: 'PAIR', help: 'fail back to the original primary', command: (id) => ({ type: 'pair', pairId: id, op: 'failback' }) },
  delete: { target: 'PAIR', help: 'delete the pair (SMPL)', command: (id) => ({ type: 'pair', pairId: id, op: 'delete' }) },
  deltaResync: { target: 'PAIR', help: 'delta resync of a standby pair (3DC): send only the records the remote lacks, in order', command: (id) => ({ type: 'pair', pairId: id, op: 'deltaResync' }) },
  liftFence: { target: 'PAIR', help: "lift a fenced P-VOL's write protection (the operator's way out of fence level data)", command: (id) => ({ type: 'pair', pairId: id, op: 'liftFence' }) },
};
const FAULT_NAMES = Object.keys(FAULT_KINDS).join(', ');

export const SIMULATE_SPEC: CommandSpec = {
  name: 'simulate',
  usage: 'FILE [options]',
  summary: 'run the topology headless and report pair states, host latencies, link use and volume content hashes',
  description:
    'Runs the topology in the deterministic engine: the hosts write for --duration, faults happen on time, then the hosts stop and the run goes on until every pair has settled.',
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    duration: { kind: 'value', value: 'DURATION', help: 'how long the hosts write (default 60s; a bare number is seconds)' },
    seed: { kind: 'value', value: 'N', help: 'the random seed, a whole number (default 1); the same seed gives the same run' },
    fault: { kind: 'value', value: 'at=DURATION,KIND=ID', multiple: true, help: 'at a virtual time (a bare number is seconds), act on an element; KIND below, e.g. at=10s,cut=CN4' },
    workload: { kind: 'value', value: 'WORKLOAD', multiple: true, help: 'override every host workload: iops=N, block=SIZE, read=0..1, pattern=random|sequential|hotspot; e.g. iops=5000,block=4k' },
    trace: {
      kind: 'value',
      value: '[HOST:WORKLOAD=]FILE.csv',
      multiple: true,
      help: "replay a CSV (atUs,op,offsetBytes,lengthBytes, or a header naming blktrace-like columns) instead of the workload's pattern; default the first host's first workload",
    },
    json: { kind: 'flag', help: 'print the report as JSON (field names are stable)' },
  },
  sections: [{ title: '--fault kinds (KIND=ID)', rows: Object.entries(FAULT_KINDS).map(([k, f]) => [`${k}=${f.target}`, f.help]) }],
  exitCodes: '0 ran, 1 the file has errors (as relaylab validate reports them) or a trace does not fit, 2 wrong usage.',
};

function keyValues(text: string, arg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CliUsageError(arg, `"${part}" is not key=value`);
    const key = part.slice(0, eq).trim();
    if (out.has(key)) throw new CliUsageError(arg, `"${key}" given twice`);
    out.set(key, part.slice(eq + 1).trim());
  }
  return out;
}

/** `--fault at=10s,cut=CN4`: one time and one action. */
export function parseFault(text: string): TimedFault {
  const arg = `--fault ${text}`;
  const kv = keyValues(text, arg);
  const at = kv.get('at');
  if (at === undefined) throw new CliUsageError(arg, 'missing at=TIME');
  kv.delete('at');
  if (kv.size !== 1) throw new CliUsageError(arg, `one action expected (${FAULT_NAMES}), got ${kv.size}`);
  const [key, id] = [...kv.entries()][0]!;
  const kind = Object.hasOwn(FAULT_KINDS, key) ? FAULT_KINDS[key] : undefined;
  if (!kind) throw new CliUsageError(arg, `unknown action "${key}"; use one of ${FAULT_NAMES}`);
  if (!ID.test(id)) throw new CliUsageError(arg, `"${id}" is not an element id`);
  return { atMs: parseDuration(at, arg, { bareUnit: 's', allowZero: true, example: 'at=10s' }), command: kind.command(id) };
}

/** `--workload iops=5000,block=4k,read=0.3,pattern=hotspot`: overrides every host's workloads. */
export function parseWorkload(text: string): WorkloadOverride {
  const arg = `--workload ${text}`;
  const out: WorkloadOverride = {};
  for (const [key, value] of keyValues(text, arg)) {
    if (key === 'iops') {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n) || n < 0 || n > 10_000_000) throw new CliUsageError(arg, `iops "${value}" must be between 0 and 10,000,000`);
      out.iops = n;
    } else if (key === 'block') out.blockBytes = parseSize(value, arg);
    else if (key === 'read') {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new CliUsageError(arg, `read "${value}" must be a share between 0 and 1`);
      out.readRatio = n;
    } else if (key === 'pattern') {
      if (value !== 'random' && value !== 'sequential' && value !== 'hotspot') throw new CliUsageError(arg, `pattern "${value}" must be random, sequential or hotspot`);
      out.pattern = value satisfies Workload['pattern'];
    } else throw new CliUsageError(arg, `unknown key "${key}" (iops, block, read, pattern)`);
  }
  return out;
}

/** `HOST:WORKLOAD=FILE` or just `FILE`. */
export function parseTraceArg(text: string): TraceArg {
  const m = /^([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+)=(.+)$/.exec(text);
  if (m) return { file: m[3]!, target: { hostId: m[1]!, workloadId: m[2]! } };
  if (text.trim() === '') throw new CliUsageError('--trace', 'needs a file (FILE.csv or HOST:WORKLOAD=FILE.csv)');
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
  if (!host) throw new CliUsageError(where, arg.target ? `no host ${arg.target.hostId} in ${topology.name}` : `no host of ${topology.name} has a workload to replay the trace on`);
  const workloadIndex = arg.target ? host.workloads.findIndex((w) => w.id === arg.target!.workloadId) : 0;
  if (workloadIndex < 0) throw new CliUsageError(where, `host ${host.id} has no workload ${arg.target!.workloadId} (it has ${host.workloads.map((w) => w.id).join(', ') || 'none'})`);
  const hosts = topology.hosts.map((h, i) =>
    i === hostIndex ? { ...h, workloads: h.workloads.map((w, j) => (j === workloadIndex ? { ...w, trace: { records, loop: false } } : w)) } : h,
  );
  return { ...topology, hosts };
}

/** Reads `relaylab simulate` arguments; throws CliUsageError (alias SimulateArgsError) naming the argument. */
export function parseSimulateArgs(argv: readonly string[]): SimulateArgs {
  // The file count is checked by the command, so parsing alone can be tested without one.
  const args = parseCommandArgs({ ...SIMULATE_SPEC, positionals: { ...SIMULATE_SPEC.positionals, min: 0, max: Infinity } }, argv);
  const duration = lastValue(args, 'duration');
  const durationMs = duration === undefined ? 60_000 : parseDuration(duration, '--duration', { bareUnit: 's' });
  const seed = lastValue(args, 'seed');
  const faults = (args.values.get('fault') ?? []).map(parseFault);
  const workloads = (args.values.get('workload') ?? []).map(parseWorkload);
  const traces = (args.values.get('trace') ?? []).map(parseTraceArg);
  for (const f of faults) if (f.atMs > durationMs) throw new CliUsageError('--fault', `at=${f.atMs / 1000}s is after the end of the run (${durationMs / 1000}s)`);
  const options: SimulateOptions = { durationMs, faults };
  if (seed !== undefined) options.seed = parseWholeNumber(seed, '--seed');
  if (workloads.length) options.workloadOverride = Object.assign({}, ...workloads) as WorkloadOverride;
  return { files: args.positionals, json: args.flags.has('json'), options, traces, help: args.flags.has('help') };
}
