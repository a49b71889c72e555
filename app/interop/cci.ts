// Hitachi CCI (Command Control Interface, RAID Manager): a topology's pairs as horcmN.conf files and a pairs.sh, and back.
//
// Followed (Hitachi "Command Control Interface User and Reference Guide", HP XP RAID Manager user guide):
// - horcm.conf sections HORCM_MON (ip_address service poll(10ms) timeout(10ms)), HORCM_CMD (command device,
//   `\\.\CMD-Serial#:/dev/sd` in-band form with a UNIX hint), HORCM_LDEV (dev_group dev_name Serial# CU:LDEV(LDEV#) MU#),
//   HORCM_INST (dev_group ip_address service: the peer instance managing the other side of the group); import also reads
//   HORCM_DEV (dev_group dev_name port# TargetID LU# MU#) and the full command device form `\\.\CMD-Serial#-LDEV#-Port#`.
// - paircreate: `-g group`, `-vl` (the instance running the command holds the P-VOL) / `-vr`, `-f fence` with
//   data|status|never for TrueCopy, `-fg fence CTG` for a TrueCopy consistency group, `-f async [CTG]` with `-jp`/`-js`
//   (master/restore journal ids) for Universal Replicator, `-c size` copy pace (1-15 tracks), `-nocopy`, `-nocsus`
//   (a delta-resync standby UR pair), `-I<instance>` (or HORCMINST) to name the instance.
// - MU#: TrueCopy uses MU# 0; a UR pair on a volume that also has a TrueCopy pair (the 3DC cascade's relay volume) uses h1.
// - pairdisplay -fcx columns: Group PairVol(L/R) (Port#,TID,LU-M) Seq# LDEV#.P/S Status Fence % P-LDEV# M CTG JID ...
import { indexTopology } from '../model/index-topology';
import type { Pair, Topology } from '../model/schema';
import { buildTopology } from './build';
import type { ImportedDesign, ImportedPair, ImportedSystem, ImportedVolume } from './build';
import { formatCuLdev, ldevIds, parseLdev, serialNumbers } from './identifiers';
import { relayFeeders } from './relay';
import { ImportError, MAX_IMPORT_ELEMENTS, MAX_IMPORT_FILE_BYTES, commentSafe, linesOf } from './types';
import type { ExportResult, FileMap, ImportResult } from './types';

/** CCI names (groups, devices) take up to 31 characters. */
const NAME_MAX = 31;
const cciName = (text: string) => text.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, NAME_MAX) || 'grp';
/** The UDP port of instance n (HORCM_MON's service; a number, so no /etc/services entry is needed). */
const servicePort = (instance: number) => 11000 + instance;
/** Placeholder host name of the server running an instance (the design does not know it). */
const hostOf = (systemId: string) => `cci-${systemId.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;

/** A delta-resync standby pair (Hitachi 3DC); the field comes with another issue, read defensively. */
const isStandby = (p: Pair) => (p as Pair & { standby?: unknown }).standby === true;

interface CciGroup {
  name: string;
  mode: Pair['mode'];
  fence: Pair['fence'];
  primarySystem: string;
  secondarySystem: string;
  pairs: Pair[];
  /** Consistency group number (CTG) when the pairs have a consistency group. */
  ctg?: number;
  consistencyGroup?: string;
  standby: boolean;
  copyPace: number;
  initially: Pair['initially'];
  journals?: { primary: number; secondary: number };
}

/** The order pairs are created in: a leg after the legs that feed its primary (3DC cascade: sync before async), standby pairs last. */
function creationOrder(t: Topology): Pair[] {
  const volumes = indexTopology(t).volumes;
  const sys = (volumeId: string) => volumes.get(volumeId)?.systemId ?? '';
  const depth = new Map<string, number>();
  const depthOf = (p: Pair, seen: Set<string>): number => {
    const known = depth.get(p.id);
    if (known !== undefined) return known;
    if (seen.has(p.id)) return 0;
    seen.add(p.id);
    let d = 0;
    for (const feeder of t.pairs) if (feeder !== p && !isStandby(feeder) && sys(feeder.secondaryVolumeId) === sys(p.primaryVolumeId)) d = Math.max(d, 1 + depthOf(feeder, seen));
    depth.set(p.id, d);
    return d;
  };
  const rank = (p: Pair) => (isStandby(p) ? 1e6 : 0) + depthOf(p, new Set()) * 2 + (p.mode === 'sync' ? 0 : 1);
  return t.pairs.map((p, i) => ({ p, i, r: rank(p) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.p);
}

export function exportCci(t: Topology): ExportResult {
  const ix = indexTopology(t);
  const serials = serialNumbers(t);
  const ldevs = ldevIds(t);
  const notes: string[] = [];
  const sysOf = (volumeId: string) => ix.volumes.get(volumeId)?.systemId ?? '';
  const ordered = creationOrder(t);

  // Instances: one per storage system holding a pair volume, numbered in document order.
  const inPairs = new Set(t.pairs.flatMap((p) => [sysOf(p.primaryVolumeId), sysOf(p.secondaryVolumeId)]));
  const instance = new Map<string, number>();
  for (const s of t.systems) if (inPairs.has(s.id)) instance.set(s.id, instance.size);

  // Groups: a consistency group becomes a group (and a CTG number); a pair without one gets a group of its own.
  // A CCI group joins exactly two instances with one kind of copy, so a consistency group spanning several is split.
  const ctgOf = new Map<string, number>();
  const groups: CciGroup[] = [];
  const usedNames = new Set<string>();
  const uniqueName = (base: string) => {
    let name = cciName(base);
    for (let n = 2; usedNames.has(name); n++) name = `${cciName(base).slice(0, NAME_MAX - 3)}_${n}`;
    usedNames.add(name);
    return name;
  };
  const journalNext = new Map<string, number>();
  const journalOf = new Map<string, number>();
  const journalId = (systemId: string, key: string) => {
    const k = `${systemId}/${key}`;
    let id = journalOf.get(k);
    if (id === undefined) {
      id = journalNext.get(systemId) ?? 0;
      journalNext.set(systemId, id + 1);
      journalOf.set(k, id);
    }
    return id;
  };
  for (const p of ordered) {
    const from = sysOf(p.primaryVolumeId);
    const to = sysOf(p.secondaryVolumeId);
    const standby = isStandby(p);
    const key = p.consistencyGroup;
    let g = key
      ? groups.find((x) => x.consistencyGroup === key && x.primarySystem === from && x.secondarySystem === to && x.mode === p.mode && x.fence === p.fence && x.standby === standby)
      : undefined;
    if (!g) {
      if (key && !ctgOf.has(key)) ctgOf.set(key, ctgOf.size);
      const splitFrom = key ? groups.find((x) => x.consistencyGroup === key) : undefined;
      if (splitFrom) notes.push(`consistency group "${key}" joins more than two storage systems or mixes copy kinds; CCI groups join two instances, so it is split into several groups sharing CTG ${ctgOf.get(key!)}`);
      g = {
        name: uniqueName(key ?? p.id),
        mode: p.mode,
        fence: p.fence,
        primarySystem: from,
        secondarySystem: to,
        pairs: [],
        ...(key ? { ctg: ctgOf.get(key)!, consistencyGroup: key } : {}),
        standby,
        copyPace: p.copyPace,
        initially: p.initially,
        ...(p.mode === 'async' ? { journals: { primary: journalId(from, key ?? p.id), secondary: journalId(to, key ?? p.id) } } : {}),
      };
      groups.push(g);
    }
    g.pairs.push(p);
    if (p.copyPace !== g.copyPace || p.initially !== g.initially)
      notes.push(`${p.id}: copy pace and initial copy are per paircreate command in CCI; it takes those of group ${g.name}`);
    if (from === to) notes.push(`${p.id}: both volumes are in ${from}; that is a local copy (ShadowImage), not a remote pair, and is written as one anyway`);
  }

  // MU#: TrueCopy 0; UR h1 on a volume that also has a TrueCopy pair (cascade), else h0; a further pair of the same kind takes the next.
  const syncVolumes = new Set(t.pairs.filter((p) => p.mode === 'sync').flatMap((p) => [p.primaryVolumeId, p.secondaryVolumeId]));
  const muUsed = new Map<string, number>();
  const muOf = new Map<string, string>();
  for (const g of groups)
    for (const p of g.pairs)
      for (const v of [p.primaryVolumeId, p.secondaryVolumeId]) {
        const kind = p.mode === 'sync' ? 'tc' : 'ur';
        const k = `${v}/${kind}`;
        const n = muUsed.get(k) ?? (kind === 'ur' && syncVolumes.has(v) ? 1 : 0);
        muUsed.set(k, n + 1);
        muOf.set(`${p.id}/${v}`, kind === 'tc' ? String(n) : `h${Math.min(n, 3)}`);
      }

  // The patent's relay keeps the received and the sent data in two virtual volumes on one real volume; Hitachi's 3DC
  // cascade forwards from one LDEV that is both the TrueCopy S-VOL and the UR P-VOL. Written as designed, and said.
  const feederOf = relayFeeders(t);
  for (const p of t.pairs) {
    const q = feederOf(p);
    if (q && q.secondaryVolumeId !== p.primaryVolumeId)
      notes.push(
        `relay ${sysOf(p.primaryVolumeId)}: ${q.id} writes ${q.secondaryVolumeId} and ${p.id} sends from ${p.primaryVolumeId}, two volumes on the same storage (the patent's relay); a Hitachi 3DC cascade forwards from one LDEV that is both the TrueCopy S-VOL (MU# 0) and the UR P-VOL (MU# h1): on a real array, create ${p.id} from ${q.secondaryVolumeId}'s LDEV (${formatCuLdev(ldevs.get(q.secondaryVolumeId)!)})`,
      );
  }

  // Serial numbers and LDEVs identify volumes in CCI: two systems with one serial, or two volumes with one LDEV, would be one.
  const bySerial = new Map<number, string>();
  for (const [systemId, serial] of serials) {
    if (!instance.has(systemId)) continue;
    const other = bySerial.get(serial);
    if (other) notes.push(`${other} and ${systemId} both have Serial# ${serial}; CCI would take them for one storage system: give one a serialNumber of its own`);
    bySerial.set(serial, systemId);
  }
  const byLdev = new Map<string, string>();
  for (const v of t.volumes) {
    const key = `${v.systemId}/${ldevs.get(v.id)}`;
    const other = byLdev.get(key);
    if (other && instance.has(v.systemId)) notes.push(`${other} and ${v.id} both have LDEV ${formatCuLdev(ldevs.get(v.id)!)} in ${v.systemId}; give one an ldevId of its own`);
    byLdev.set(key, v.id);
  }

  const files: FileMap = {};
  const devName = (p: Pair) => cciName(p.id);
  const describeVolume = (volumeId: string) => {
    const v = ix.volumes.get(volumeId);
    return `${volumeId}${v && v.name !== volumeId ? ` "${commentSafe(v.name)}"` : ''}`;
  };
  for (const s of t.systems) {
    const n = instance.get(s.id);
    if (n === undefined) continue;
    const site = ix.sites.get(s.siteId);
    const serial = serials.get(s.id)!;
    const out: string[] = [];
    out.push(`# horcm${n}.conf: CCI (RAID Manager) instance ${n} for storage system ${s.id} "${commentSafe(s.name)}"${s.role ? ` (${commentSafe(s.role)})` : ''}`);
    out.push(`# relaylab: system ${s.id} serial ${serial}${site ? ` site ${site.id} "${commentSafe(site.name)}"` : ''} name "${commentSafe(s.name)}"${s.role ? ` role "${commentSafe(s.role)}"` : ''}`);
    out.push(`# Generated by RelayLab from "${commentSafe(t.name)}". Replace ${hostOf(s.id)} and the peers' host names with the servers running the instances.`);
    out.push('', 'HORCM_MON', '#ip_address\tservice\tpoll(10ms)\ttimeout(10ms)', `${hostOf(s.id)}\t${servicePort(n)}\t1000\t3000`);
    out.push('', 'HORCM_CMD', '#dev_name (command device of Serial# ' + serial + ', in-band; the hint lists where to look for it)', `\\\\.\\CMD-${serial}:/dev/sd`);
    out.push('', 'HORCM_LDEV', '#dev_group\tdev_name\tSerial#\tCU:LDEV(LDEV#)\tMU#');
    const peers: string[] = [];
    for (const g of groups) {
      const side = g.primarySystem === s.id ? 'primary' : g.secondarySystem === s.id ? 'secondary' : undefined;
      if (!side) continue;
      for (const p of g.pairs) {
        const v = side === 'primary' ? p.primaryVolumeId : p.secondaryVolumeId;
        out.push(`${g.name}\t${devName(p)}\t${serial}\t${formatCuLdev(ldevs.get(v)!)}\t${muOf.get(`${p.id}/${v}`)}\t# volume ${describeVolume(v)}, ${side === 'primary' ? 'P-VOL' : 'S-VOL'} of ${p.id}`);
      }
      const peer = side === 'primary' ? g.secondarySystem : g.primarySystem;
      if (peer !== s.id) peers.push(`${g.name}\t${hostOf(peer)}\t${servicePort(instance.get(peer)!)}\t# instance ${instance.get(peer)} (${peer})`);
    }
    out.push('', 'HORCM_INST', '#dev_group\tip_address\tservice', ...peers, '');
    files[`horcm${n}.conf`] = out.join('\n');
  }

  const sh: string[] = [];
  sh.push('#!/bin/sh', `# pairs.sh: creates the remote-copy pairs of "${commentSafe(t.name)}" with CCI, in dependency order, then checks them.`);
  sh.push('# Generated by RelayLab. Start the instances first (horcmstart.sh ' + [...instance.values()].join(' ') + '); each command names its instance with -I<n>.');
  sh.push('# A leg that feeds another (the 3DC cascade\'s synchronous leg) is created and waited for (PAIR) before the leg it feeds.');
  for (const note of notes) sh.push(`# NOTE: ${note}`);
  sh.push('set -e', '');
  groups.forEach((g, i) => {
    const inst = instance.get(g.primarySystem)!;
    sh.push(`# ${i + 1}. group ${g.name}: ${g.mode === 'sync' ? `TrueCopy (synchronous), fence level ${g.fence}` : 'Universal Replicator (asynchronous)'}${g.ctg !== undefined ? `, consistency group ${commentSafe(g.consistencyGroup ?? '')} (CTG ${g.ctg})` : ''}${g.standby ? ', delta-resync standby' : ''}`);
    for (const p of g.pairs) sh.push(`#    ${p.id} "${commentSafe(p.name)}": ${describeVolume(p.primaryVolumeId)} on ${g.primarySystem} -> ${describeVolume(p.secondaryVolumeId)} on ${g.secondarySystem}`);
    const opts = ['paircreate', '-g', g.name, '-vl'];
    if (g.mode === 'sync') opts.push(...(g.ctg !== undefined ? ['-fg', g.fence, String(g.ctg)] : ['-f', g.fence]));
    else {
      opts.push('-f', 'async', ...(g.ctg !== undefined ? [String(g.ctg)] : []));
      opts.push('-jp', String(g.journals!.primary), '-js', String(g.journals!.secondary));
    }
    opts.push('-c', String(g.copyPace));
    if (g.initially === 'paired') opts.push('-nocopy');
    // Delta resync: the standby UR pair local -> remote is created with -nocsus and stays in HOLD until the relay is lost.
    if (g.standby) opts.push('-nocsus');
    opts.push(`-I${inst}`);
    if (g.initially === 'simplex') sh.push('# (the design leaves this pair unformed at the start of a run; it is created here all the same)');
    sh.push(opts.join(' '));
    if (!g.standby) sh.push(`pairevtwait -g ${g.name} -s pair -t 3600 -I${inst}`);
    sh.push('');
  });
  sh.push('# Checks: every pair PAIR (standby pairs HOLD), P-VOL and S-VOL where the design puts them.');
  for (const g of groups) sh.push(`pairdisplay -g ${g.name} -fcx -I${instance.get(g.primarySystem)}`);
  sh.push('');
  files['pairs.sh'] = sh.join('\n');
  if (t.pairs.length === 0) notes.push('the topology has no pairs: there is nothing for CCI to create');
  return { files, notes };
}

// ---------------------------------------------------------------- import

interface ConfLdev {
  group: string;
  dev: string;
  /** HORCM_LDEV gives Serial# and LDEV; HORCM_DEV gives a port, target ID and LU# (and the serial only through HORCM_CMD). */
  serial?: number;
  ldev?: number;
  port?: string;
  mu: string;
  line: number;
  hint?: { id: string; name?: string };
}
interface ConfInstance {
  file: string;
  instance: number;
  ldevs: ConfLdev[];
  system?: { id: string; serial: number; site?: { id: string; name: string }; name?: string; role?: string };
  /** Serial# of the command device (`\\.\CMD-30095...`), the array a HORCM_DEV line is on. */
  cmdSerial?: number;
}

const SECTION = /^HORCM_[A-Z_]+$/;

function parseConf(file: string, text: string, fallbackInstance: number): ConfInstance {
  const fromName = /horcm(\d{1,4})\.conf$/i.exec(file);
  const conf: ConfInstance = { file, instance: fromName ? Number(fromName[1]) : fallbackInstance, ldevs: [] };
  let section = '';
  linesOf(text).forEach((raw, i) => {
    const line = i + 1;
    const hash = raw.indexOf('#');
    const comment = hash >= 0 ? raw.slice(hash + 1).trim() : '';
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    const sys = /^relaylab: system (\S+) serial (\d+)(?: site (\S+) "([^"]*)")?(?: name "([^"]*)")?(?: role "([^"]*)")?/.exec(comment);
    if (sys)
      conf.system = {
        id: sys[1]!,
        serial: Number(sys[2]),
        ...(sys[3] ? { site: { id: sys[3], name: sys[4] ?? sys[3] } } : {}),
        ...(sys[5] ? { name: sys[5] } : {}),
        ...(sys[6] ? { role: sys[6] } : {}),
      };
    if (!body) return;
    if (SECTION.test(body)) {
      section = body;
      return;
    }
    const f = body.split(/\s+/);
    switch (section) {
      case 'HORCM_LDEV': {
        if (f.length < 4 || f.length > 5)
          throw new ImportError(file, line, `a HORCM_LDEV line: dev_group dev_name Serial# CU:LDEV(LDEV#) [MU#], found ${f.length} field(s)`);
        const [group, dev, serialText, ldevText, mu = '0'] = f as [string, string, string, string, string?];
        if (!/^\d{1,6}$/.test(serialText) || Number(serialText) < 1) throw new ImportError(file, line, `a serial number (1-999999) in the third field, found "${serialText.slice(0, 40)}"`);
        const ldev = parseLdev(ldevText);
        if (ldev === undefined) throw new ImportError(file, line, `an LDEV number (CU:LDEV like 01:20, 0x120 or decimal, at most FF:FF) in the fourth field, found "${ldevText.slice(0, 40)}"`);
        if (!/^(\d{1,3}|h[0-3])$/.test(mu)) throw new ImportError(file, line, `an MU# (0-2 or h0-h3) in the fifth field, found "${mu.slice(0, 40)}"`);
        if (conf.ldevs.length >= MAX_IMPORT_ELEMENTS) throw new ImportError(file, line, `at most ${MAX_IMPORT_ELEMENTS} HORCM_LDEV lines in one instance`);
        const vol = /^volume (\S+)(?: "([^"]*)")?/.exec(comment);
        conf.ldevs.push({ group, dev, serial: Number(serialText), ldev, mu, line, ...(vol ? { hint: { id: vol[1]!.replace(/,$/, ''), ...(vol[2] !== undefined ? { name: vol[2] } : {}) } } : {}) });
        return;
      }
      case 'HORCM_DEV': {
        if (f.length < 5 || f.length > 6) throw new ImportError(file, line, `a HORCM_DEV line: dev_group dev_name port# TargetID LU# [MU#], found ${f.length} field(s)`);
        const [group, dev, port, tid, lu, mu = '0'] = f as [string, string, string, string, string, string?];
        if (!/^CL[0-9A-G]-[A-Z](-\d{1,3})?$/i.test(port)) throw new ImportError(file, line, `a port like CL1-A (or CL1-A-1 with a host group) in the third field, found "${port.slice(0, 40)}"`);
        if (!/^\d{1,4}$/.test(tid) || !/^\d{1,5}$/.test(lu)) throw new ImportError(file, line, `a target ID and an LU# (numbers) in the fourth and fifth fields, found "${tid.slice(0, 20)}" "${lu.slice(0, 20)}"`);
        if (!/^(\d{1,3}|h[0-3])$/.test(mu)) throw new ImportError(file, line, `an MU# (0-2 or h0-h3) in the sixth field, found "${mu.slice(0, 40)}"`);
        if (conf.ldevs.length >= MAX_IMPORT_ELEMENTS) throw new ImportError(file, line, `at most ${MAX_IMPORT_ELEMENTS} device lines in one instance`);
        conf.ldevs.push({ group, dev, port: `${port.toUpperCase()}-${Number(tid)}-${Number(lu)}`, mu, line });
        return;
      }
      case 'HORCM_CMD': {
        const cmd = /^\\\\\.\\CMD-(\d{1,6})/i.exec(body);
        if (cmd && conf.cmdSerial === undefined) conf.cmdSerial = Number(cmd[1]);
        return;
      }
      case 'HORCM_MON':
      case 'HORCM_INST':
      case 'HORCM_INSTP':
      case 'HORCM_VCMD':
      case 'HORCM_ALLOW_INST':
        return;
      case '':
        throw new ImportError(file, line, `a section header (HORCM_MON, HORCM_CMD, HORCM_LDEV, HORCM_INST) before "${body.slice(0, 40)}"`);
      default:
        return;
    }
  });
  return conf;
}

interface CreateCommand {
  file: string;
  line: number;
  group: string;
  dev?: string;
  instance?: number;
  primaryIsLocal: boolean;
  mode: Pair['mode'];
  fence: Pair['fence'];
  ctg?: number;
  copyPace?: number;
  nocopy: boolean;
  standby: boolean;
}

/** Shell words of one line (no quoting beyond plain '...' and "..."; pairs.sh needs no more). */
function words(body: string): string[] {
  return [...body.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

function parsePairsScript(file: string, text: string): CreateCommand[] {
  const out: CreateCommand[] = [];
  let envInstance: number | undefined;
  linesOf(text).forEach((raw, i) => {
    const line = i + 1;
    const hash = raw.search(/(^|\s)#/);
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (!body) return;
    let w = words(body);
    const exported = /^(?:export\s+)?HORCMINST=(\d{1,4})$/.exec(body);
    if (exported) {
      envInstance = Number(exported[1]);
      return;
    }
    let lineInstance: number | undefined;
    while (w[0] && /^HORCMINST=\d{1,4}$/.test(w[0])) {
      lineInstance = Number(w[0].split('=')[1]);
      w = w.slice(1);
    }
    if (w[0]?.replace(/^.*\//, '') !== 'paircreate') return;
    const cmd: Partial<CreateCommand> & { file: string; line: number } = { file, line, nocopy: false, standby: false };
    const need = (k: number, what: string) => {
      const v = w[k];
      if (v === undefined || v.startsWith('-')) throw new ImportError(file, line, `${what} after ${w[k - 1]}`);
      return v;
    };
    for (let k = 1; k < w.length; k++) {
      const a = w[k]!;
      const inst = /^-I(?:H|M|TC|SI)?(\d{1,4})$/.exec(a);
      if (inst) cmd.instance = Number(inst[1]);
      else if (a === '-g') cmd.group = need(++k, 'a group name');
      else if (a === '-d') cmd.dev = need(++k, 'a device name');
      else if (a === '-vl') cmd.primaryIsLocal = true;
      else if (a === '-vr') cmd.primaryIsLocal = false;
      else if (a === '-f' || a === '-fg') {
        const fence = need(++k, 'a fence level (data, status, never or async)');
        if (fence === 'async') cmd.mode = 'async';
        else if (fence === 'data' || fence === 'status' || fence === 'never') {
          cmd.mode = 'sync';
          cmd.fence = fence;
        } else throw new ImportError(file, line, `a fence level data, status, never or async after ${a}, found "${fence.slice(0, 40)}"`);
        if (w[k + 1] !== undefined && /^\d{1,3}$/.test(w[k + 1]!)) cmd.ctg = Number(w[++k]);
        else if (a === '-fg') throw new ImportError(file, line, 'a consistency group number (CTG) after -fg and its fence level');
      } else if (a === '-jp' || a === '-js' || a === '-jq') {
        if (!/^\d{1,3}$/.test(need(++k, 'a journal id'))) throw new ImportError(file, line, `a journal id (a number) after ${a}`);
      } else if (a === '-c') {
        const pace = Number(need(++k, 'a copy pace (1-15)'));
        if (!Number.isInteger(pace) || pace < 1 || pace > 15) throw new ImportError(file, line, `a copy pace from 1 to 15 after -c, found "${w[k]!.slice(0, 40)}"`);
        cmd.copyPace = pace;
      } else if (a === '-nocopy') cmd.nocopy = true;
      else if (a === '-nocsus') cmd.standby = true;
      else if (a === '-split' || a === '-m') throw new ImportError(file, line, `a remote-copy paircreate; ${a} belongs to ShadowImage (local copy), which RelayLab does not import`);
      else if (a === '-pvol' || a === '-svol' || a === '-cto' || a === '-pid') k++;
      // Other options (-IH, -nomsg, -q ...) do not change the pair.
    }
    if (!cmd.group) throw new ImportError(file, line, 'paircreate with -g <group>');
    if (cmd.primaryIsLocal === undefined) throw new ImportError(file, line, 'paircreate with -vl or -vr (which side holds the P-VOL)');
    if (!cmd.mode) throw new ImportError(file, line, 'paircreate with -f data|status|never (TrueCopy) or -f async (Universal Replicator)');
    cmd.instance ??= lineInstance ?? envInstance;
    out.push({ fence: 'never', ...cmd } as CreateCommand);
  });
  return out;
}

interface DisplayLine {
  group: string;
  dev: string;
  serial: number;
  ldev: number;
  role: 'P-VOL' | 'S-VOL';
  fence: string;
  ctg?: number;
  line: number;
}

/** `pairdisplay -fcx` (or -fx) output: one line per side of each pair. */
function parsePairdisplay(file: string, text: string): DisplayLine[] {
  const out: DisplayLine[] = [];
  linesOf(text).forEach((raw, i) => {
    const line = i + 1;
    const body = raw.trim();
    if (!body || /^Group\s+PairVol/i.test(body) || body.startsWith('#')) return;
    const m = /^(\S+)\s+(\S+?)\((?:L|R)\)\s+\(([^)]*)\)\s*(\d{1,6})\s+([0-9A-Fa-f]{1,4})\.(P-VOL|S-VOL|SMPL)\s+(\S+)\s*,?\s*(\S+?)\s*,\s*(.*)$/.exec(body);
    if (!m) throw new ImportError(file, line, 'a pairdisplay -fcx line: Group PairVol(L/R) (Port#,TID,LU-M) Seq# LDEV#.P/S Status Fence, % P-LDEV# M CTG JID ...');
    if (m[6] === 'SMPL') return;
    const rest = m[9]!.split(/\s+/);
    // After "%,": %, P-LDEV#, M, CTG, JID ...
    const ctgText = rest[3];
    out.push({
      group: m[1]!,
      dev: m[2]!,
      serial: Number(m[4]),
      ldev: parseInt(m[5]!, 16),
      role: m[6] as 'P-VOL' | 'S-VOL',
      fence: m[8]!.toLowerCase(),
      ...(ctgText && /^\d{1,3}$/.test(ctgText) ? { ctg: Number(ctgText) } : {}),
      line,
    });
  });
  return out;
}

/** Which kind of CCI input a file is, by its content. */
export function cciFileKind(name: string, text: string): 'conf' | 'script' | 'pairdisplay' | undefined {
  if (/^\s*HORCM_(MON|CMD|LDEV|DEV|INST)\s*$/m.test(text)) return 'conf';
  if (/^\s*Group\s+PairVol\(L\/R\)/m.test(text) || /\.(P|S)-VOL\s/.test(text)) return 'pairdisplay';
  if (/(^|\s)paircreate(\s|$)/m.test(text) || /\.sh$/i.test(name)) return 'script';
  return undefined;
}

/** Builds a topology from horcmN.conf files plus a pairs.sh (paircreate commands) or pairdisplay -fcx output. */
export function importCci(files: FileMap, name = 'Imported from CCI'): ImportResult {
  try {
    return { ok: true, ...buildTopology(readCci(files, name)) };
  } catch (e) {
    if (e instanceof ImportError) return { ok: false, errors: [e] };
    throw e;
  }
}

function readCci(files: FileMap, name: string): ImportedDesign {
  const confs: ConfInstance[] = [];
  const commands: CreateCommand[] = [];
  const display: { file: string; lines: DisplayLine[] }[] = [];
  const entries = Object.entries(files).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  for (const [file, text] of entries) {
    if (text.length > MAX_IMPORT_FILE_BYTES) throw new ImportError(file, 1, `a configuration file of at most ${MAX_IMPORT_FILE_BYTES / 1024 / 1024} MiB`);
    const kind = cciFileKind(file, text);
    if (kind === 'conf') confs.push(parseConf(file, text, confs.length));
    else if (kind === 'script') commands.push(...parsePairsScript(file, text));
    else if (kind === 'pairdisplay') display.push({ file, lines: parsePairdisplay(file, text) });
    else throw new ImportError(file, 1, 'a horcmN.conf (HORCM_LDEV ...), a pairs.sh (paircreate ...) or pairdisplay -fcx output');
  }
  const firstFile = entries[0]?.[0] ?? '(no files)';
  if (!confs.length && !display.length) throw new ImportError(firstFile, 1, 'at least one horcmN.conf file (or pairdisplay -fcx output)');
  if (!commands.length && !display.length) throw new ImportError(firstFile, 1, 'a pairs.sh with paircreate commands, or pairdisplay -fcx output, to say which side is primary');
  const seenInstances = new Map<number, string>();
  for (const c of confs) {
    const other = seenInstances.get(c.instance);
    if (other) throw new ImportError(c.file, 1, `one file per instance; ${other} is instance ${c.instance} too`);
    seenInstances.set(c.instance, c.file);
  }

  const systems = new Map<string, ImportedSystem>();
  const volumes = new Map<string, ImportedVolume>();
  const keyOf = (serial: number, ldev: number) => `${serial}-${formatCuLdev(ldev).replace(':', '')}`;
  /** A system per serial number; a HORCM_DEV instance whose command device names no serial is a system of its own. */
  const addSystem = (key: string, serial: number | undefined, conf?: ConfInstance) => {
    if (systems.has(key)) return;
    const hint = serial !== undefined && conf?.system?.serial === serial ? conf.system : undefined;
    systems.set(key, {
      key,
      ...(hint ? { id: hint.id } : {}),
      name: hint?.name ?? hint?.id ?? (serial !== undefined ? `Serial# ${serial}` : `Array of instance ${conf?.instance ?? '?'}`),
      ...(hint?.role ? { role: hint.role } : {}),
      ...(serial !== undefined ? { serialNumber: serial } : {}),
      ...(hint?.site ? { site: hint.site } : {}),
    });
  };
  const addVolume = (serial: number, ldev: number, conf?: ConfInstance, hint?: { id: string; name?: string }) => {
    addSystem(String(serial), serial, conf);
    const key = keyOf(serial, ldev);
    if (!volumes.has(key)) volumes.set(key, { key, systemKey: String(serial), ...(hint ? { id: hint.id } : {}), name: hint?.name ?? hint?.id ?? `LDEV ${formatCuLdev(ldev)}`, ldevId: ldev });
    return key;
  };
  /** The volume of a device line: by Serial# and LDEV, or (HORCM_DEV) by the array, port, target ID and LU#. */
  const volumeKeys = new Map<ConfLdev, string>();
  let portOnly = 0;
  for (const c of confs)
    for (const l of c.ldevs) {
      if (l.serial !== undefined && l.ldev !== undefined) {
        volumeKeys.set(l, addVolume(l.serial, l.ldev, c, l.hint));
        continue;
      }
      portOnly++;
      const systemKey = c.cmdSerial !== undefined ? String(c.cmdSerial) : `instance-${c.instance}`;
      addSystem(systemKey, c.cmdSerial, c);
      const key = `${systemKey}-${l.port}`;
      if (!volumes.has(key)) volumes.set(key, { key, systemKey, name: `${l.port} (${l.dev})` });
      volumeKeys.set(l, key);
    }

  const pairs: ImportedPair[] = [];
  const notes: string[] = [];
  const ctgNames = new Map<number, string>();
  const cgName = (ctg: number | undefined, group: string) => {
    if (ctg === undefined) return undefined;
    if (!ctgNames.has(ctg)) ctgNames.set(ctg, group);
    return ctgNames.get(ctg);
  };
  const pairSeen = new Set<string>();
  for (const cmd of commands) {
    const holders = confs.filter((c) => c.ldevs.some((l) => l.group === cmd.group));
    if (holders.length === 0) throw new ImportError(cmd.file, cmd.line, `group "${cmd.group.slice(0, 40)}" in a HORCM_LDEV section of one of the horcmN.conf files`);
    let local: ConfInstance | undefined;
    if (cmd.instance !== undefined) local = holders.find((c) => c.instance === cmd.instance);
    else if (holders.length === 2) throw new ImportError(cmd.file, cmd.line, `-I<instance> (or HORCMINST=<n>): group "${cmd.group}" is in ${holders.map((h) => h.file).join(' and ')}, and only the instance running the command says which is local`);
    if (!local) throw new ImportError(cmd.file, cmd.line, `instance ${cmd.instance ?? '?'} to hold group "${cmd.group}" (it is in ${holders.map((h) => `${h.file} (instance ${h.instance})`).join(', ')})`);
    const peer = holders.find((c) => c !== local);
    if (!peer) throw new ImportError(cmd.file, cmd.line, `group "${cmd.group}" in a second horcmN.conf (the peer instance)`);
    const peerDevs = new Map<string, ConfLdev>();
    for (const l of peer.ldevs) if (l.group === cmd.group && !peerDevs.has(l.dev)) peerDevs.set(l.dev, l);
    for (const mine of local.ldevs.filter((l) => l.group === cmd.group && (cmd.dev === undefined || l.dev === cmd.dev))) {
      const theirs = peerDevs.get(mine.dev);
      if (!theirs) throw new ImportError(peer.file, 1, `device "${mine.dev}" of group "${cmd.group}" (defined in ${local.file} line ${mine.line})`);
      const a = volumeKeys.get(mine)!;
      const b = volumeKeys.get(theirs)!;
      const [primaryKey, secondaryKey] = cmd.primaryIsLocal ? [a, b] : [b, a];
      if (pairSeen.has(`${primaryKey}>${secondaryKey}`)) continue;
      pairSeen.add(`${primaryKey}>${secondaryKey}`);
      const consistencyGroup = cgName(cmd.ctg, cmd.group);
      pairs.push({
        id: mine.dev,
        name: mine.dev,
        primaryKey,
        secondaryKey,
        mode: cmd.mode,
        fence: cmd.mode === 'sync' ? cmd.fence : 'never',
        ...(consistencyGroup ? { consistencyGroup } : {}),
        ...(cmd.copyPace ? { copyPace: cmd.copyPace } : {}),
        ...(cmd.nocopy ? { initially: 'paired' as const } : {}),
        ...(cmd.standby ? { standby: true } : {}),
      });
    }
  }
  for (const d of display) {
    const byDev = new Map<string, DisplayLine[]>();
    for (const l of d.lines) byDev.set(`${l.group}/${l.dev}`, [...(byDev.get(`${l.group}/${l.dev}`) ?? []), l]);
    for (const [, sides] of byDev) {
      const p = sides.find((s) => s.role === 'P-VOL');
      const s = sides.find((x) => x.role === 'S-VOL');
      if (!p || !s) throw new ImportError(d.file, sides[0]!.line, `both sides of ${sides[0]!.group}/${sides[0]!.dev} (a P-VOL line and an S-VOL line)`);
      const primaryKey = addVolume(p.serial, p.ldev);
      const secondaryKey = addVolume(s.serial, s.ldev);
      if (pairSeen.has(`${primaryKey}>${secondaryKey}`)) continue;
      pairSeen.add(`${primaryKey}>${secondaryKey}`);
      const async = p.fence === 'async';
      if (!async && p.fence !== 'data' && p.fence !== 'status' && p.fence !== 'never')
        throw new ImportError(d.file, p.line, `a Fence column of DATA, STATUS, NEVER or ASYNC, found "${p.fence.slice(0, 20)}"`);
      const consistencyGroup = cgName(p.ctg, p.group);
      pairs.push({
        id: p.dev,
        name: p.dev,
        primaryKey,
        secondaryKey,
        mode: async ? 'async' : 'sync',
        fence: async ? 'never' : (p.fence as Pair['fence']),
        ...(consistencyGroup ? { consistencyGroup } : {}),
      });
    }
  }
  if (!commands.length) notes.push('pairdisplay does not show the copy pace: the schema default (15) is used');
  if (portOnly)
    notes.push(
      `${portOnly} HORCM_DEV line(s) name a port, target ID and LU#, not an LDEV: those volumes are told apart by port, and their array by the command device's serial (or by instance when HORCM_CMD names only a device file); set the LDEV ids if you export again`,
    );
  return { name, description: `Imported from Hitachi CCI files: ${entries.map(([f]) => f).join(', ')}`.slice(0, 5000), systems: [...systems.values()], volumes: [...volumes.values()], pairs, notes };
}
