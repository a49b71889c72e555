// Parses `relaylab simulate` arguments (--duration, --seed, --fault, --workload, --json) into runSimulation options, with typed errors.
import type { EngineCommand } from '../../app/engine/api';
import type { Workload } from '../../app/model/schema';
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

export function parseSimulateArgs(argv: string[]): SimulateArgs {
  const files: string[] = [];
  let json = false;
  let durationMs = 60_000;
  let seed: number | undefined;
  const faults: TimedFault[] = [];
  let workloadOverride: WorkloadOverride | undefined;
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
      default:
        if (flag.startsWith('-')) throw new SimulateArgsError(flag, 'unknown option (--duration, --seed, --fault, --workload, --json)');
        files.push(a);
    }
  }
  for (const f of faults) if (f.atMs > durationMs) throw new SimulateArgsError('--fault', `at=${f.atMs / 1000}s is after the end of the run (${durationMs / 1000}s)`);
  const options: SimulateOptions = { durationMs, faults };
  if (seed !== undefined) options.seed = seed;
  if (workloadOverride) options.workloadOverride = workloadOverride;
  return { files, json, options };
}
