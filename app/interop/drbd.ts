// DRBD 9: the pairs DRBD can express as .res resource files (nodes, node ids, addresses, devices, connections with their protocol), and back.
//
// Followed: drbd.conf(5) for DRBD 9 (drbd-utils 9.22, LINBIT/drbd-utils `user/v9/drbdadm_parser.c`): `resource NAME { ... }`,
// `on HOST { node-id N; address [ipv4] IP:PORT; volume V { device minor M; disk PATH; meta-disk internal; } }`,
// `connection { host A; host B; net { protocol A|B|C; fencing dont-care|resource-only|resource-and-stonith; } }`,
// `connection-mesh { hosts A B C; }`, resource- and common-level `net` sections as defaults. Files are checked with
// `drbdadm -c FILE dump all` in app/interop/drbd.test.ts when drbd-utils is installed.
//
// What does not map: DRBD 9 replicates from the primary to every peer; a node does not forward what it receives. So a
// relay that forwards (the patent's cascade, Hitachi 3DC TC -> UR) becomes a direct primary -> far-site connection: the
// local site carries both streams. Virtual volume stacks, caches, journals and consistency groups have no equivalent.
import { indexTopology } from '../model/index-topology';
import type { FenceLevel, Pair, PairMode, Topology } from '../model/schema';
import { buildTopology } from './build';
import { relayFeeders } from './relay';
import type { ImportedDesign, ImportedPair, ImportedSystem, ImportedVolume } from './build';
import { ImportError, MAX_IMPORT_FILE_BYTES, commentSafe } from './types';
import type { ExportResult, FileMap, ImportResult } from './types';

export const DRBD_BASE_PORT = 7789;
/** DRBD's replication protocol of each pair mode: C acknowledges a write once the peer has it on disk, A once it is in the local TCP send buffer. */
const PROTOCOL: Record<PairMode, 'A' | 'C'> = { sync: 'C', async: 'A' };
const FENCING: Record<FenceLevel, string> = { data: 'resource-and-stonith', status: 'resource-only', never: 'dont-care' };
const FENCE_OF: Record<string, FenceLevel> = { 'resource-and-stonith': 'data', 'resource-only': 'status', 'dont-care': 'never' };
const resourceName = (text: string) => text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'r';

interface DrbdResource {
  name: string;
  /** The root primary volume (node-id 0) and the secondaries it connects to, each with the pair that feeds it. */
  primaryVolumeId: string;
  peers: { volumeId: string; pair: Pair; forwardedBy?: string }[];
}

/** Groups pairs into DRBD resources: a pair whose primary shares storage with another pair's secondary (a relay) carries the same data. */
function resourcesOf(t: Topology, notes: string[]): DrbdResource[] {
  const ix = indexTopology(t);
  const sys = (v: string) => ix.volumes.get(v)?.systemId;
  const feederOf = relayFeeders(t);
  const originOf = (p: Pair): Pair => {
    let cur = p;
    for (let hops = 0; hops < t.pairs.length; hops++) {
      const f = feederOf(cur);
      if (!f) break;
      cur = f;
    }
    return cur;
  };
  const resources = new Map<string, DrbdResource>();
  for (const p of t.pairs) {
    if (p.standby) {
      notes.push(`${p.id}: a delta-resync standby pair (HOLD) has no DRBD equivalent: DRBD 9 already connects the primary to every peer, so it is left out`);
      continue;
    }
    const origin = originOf(p);
    let r = resources.get(origin.primaryVolumeId);
    if (!r) {
      r = { name: resourceName(`r${resources.size}-${origin.id}`), primaryVolumeId: origin.primaryVolumeId, peers: [] };
      resources.set(origin.primaryVolumeId, r);
    }
    const rootSystem = sys(r.primaryVolumeId);
    const peerSystem = sys(p.secondaryVolumeId);
    if (peerSystem === rootSystem || r.peers.some((x) => sys(x.volumeId) === peerSystem)) {
      notes.push(`${p.id}: ${peerSystem} would be a second node of the same system in resource ${r.name}; DRBD has one node per host, so the pair is left out`);
      continue;
    }
    if (origin !== p) {
      const relay = sys(p.primaryVolumeId)!;
      notes.push(
        `${p.id}: the relay ${relay} forwards ${origin.primaryVolumeId}'s data to ${peerSystem}; DRBD 9 replicates from the primary to every peer, so it becomes a direct connection ${rootSystem} -> ${peerSystem} (protocol ${PROTOCOL[p.mode]}) and the local site ${rootSystem} carries both streams`,
      );
      r.peers.push({ volumeId: p.secondaryVolumeId, pair: p, forwardedBy: relay });
    } else r.peers.push({ volumeId: p.secondaryVolumeId, pair: p });
  }
  return [...resources.values()];
}

export function exportDrbd(t: Topology): ExportResult {
  const ix = indexTopology(t);
  const notes: string[] = [];
  const resources = resourcesOf(t, notes);
  const stacked = t.pairs.flatMap((p) => [p.primaryVolumeId, p.secondaryVolumeId]).filter((v) => ix.volumes.get(v)?.kind !== 'real');
  if (stacked.length)
    notes.push(`virtual volume stacks (${[...new Set(stacked)].slice(0, 6).join(', ')}) have no DRBD equivalent: each node gets one backing disk, /dev/relaylab/<volume>`);
  if (t.pairs.some((p) => p.consistencyGroup)) notes.push('consistency groups and journals do not map: DRBD keeps the volumes of one resource write-order consistent, and protocol A buffers in the TCP send buffer, not a journal');
  if (t.caches.length) notes.push('caches do not map: DRBD writes through the page cache of each node');
  if (t.pairs.length === 0) notes.push('the topology has no pairs: there is no DRBD resource to write');

  const sysIndex = new Map(t.systems.map((s, i) => [s.id, i]));
  const files: FileMap = {};
  resources.forEach((r, k) => {
    const nodes = [{ volumeId: r.primaryVolumeId, pair: undefined as Pair | undefined, forwardedBy: undefined as string | undefined }, ...r.peers];
    const host = (volumeId: string) => ix.volumes.get(volumeId)!.systemId;
    const port = DRBD_BASE_PORT + k;
    const out: string[] = [];
    out.push(`# ${r.name}.res: DRBD 9 resource written by RelayLab from "${commentSafe(t.name)}".`);
    out.push(`# Node-id 0 (${host(r.primaryVolumeId)}, volume ${r.primaryVolumeId}) is the primary; the others are its peers.`);
    out.push('# Host names are the storage systems\' ids and addresses are placeholders (10.0.<system>.1): replace them with the real nodes.');
    out.push('# Protocol C = synchronous pair, A = asynchronous pair; fencing follows the sync pair\'s fence level (data = resource-and-stonith, status = resource-only, never = dont-care).');
    for (const note of notes) out.push(`# NOT MAPPED: ${note}`);
    out.push(`resource ${r.name} {`);
    out.push('  volume 0 {', `    device minor ${k + 1};`, '    meta-disk internal;', '  }');
    nodes.forEach((n, id) => {
      const h = host(n.volumeId);
      out.push(`  on ${h} {`);
      out.push(`    # storage system ${h}, volume ${n.volumeId}${n.pair ? `: secondary of ${n.pair.id}` : ': primary'}${n.forwardedBy ? ` (forwarded by ${n.forwardedBy} in the design)` : ''}`);
      out.push(`    node-id ${id};`);
      out.push(`    address ipv4 10.0.${sysIndex.get(h) ?? 0}.1:${port};`);
      out.push('    volume 0 {', `      disk /dev/relaylab/${n.volumeId};`, '    }');
      out.push('  }');
    });
    for (const peer of r.peers) {
      const p = peer.pair;
      out.push('  connection {');
      out.push(`    # ${p.id} "${commentSafe(p.name)}": ${p.mode}${p.mode === 'sync' ? `, fence ${p.fence}` : ''}`);
      out.push(`    host ${host(r.primaryVolumeId)};`, `    host ${host(peer.volumeId)};`);
      out.push(`    net { protocol ${PROTOCOL[p.mode]};${p.mode === 'sync' ? ` fencing ${FENCING[p.fence]};` : ''} }`);
      out.push('  }');
    }
    out.push('}', '');
    files[`${r.name}.res`] = out.join('\n');
  });
  return { files, notes };
}

// ---------------------------------------------------------------- import

interface Token {
  text: string;
  line: number;
  kind: 'word' | 'string' | '{' | '}' | ';';
}
interface Stmt {
  words: string[];
  line: number;
  block?: Stmt[];
}

function tokenize(file: string, text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push({ text: c, line, kind: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\n') throw new ImportError(file, line, 'a closing " before the end of the line');
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new ImportError(file, line, 'a closing "');
      tokens.push({ text: value, line, kind: 'string' });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s{};"#]/.test(text[j]!)) j++;
      tokens.push({ text: text.slice(i, j), line, kind: 'word' });
      i = j;
    }
    if (tokens.length > 500_000) throw new ImportError(file, line, 'a configuration of at most 500,000 words');
  }
  return tokens;
}

/** Statements: words ending in ';' or followed by a { block }, nested at most 16 deep. */
function parseBlock(file: string, tokens: Token[], pos: { i: number }, depth: number): Stmt[] {
  const out: Stmt[] = [];
  if (depth > 16) throw new ImportError(file, tokens[pos.i]?.line ?? 1, 'sections nested at most 16 deep');
  while (pos.i < tokens.length) {
    const t = tokens[pos.i]!;
    if (t.kind === '}') {
      if (depth === 0) throw new ImportError(file, t.line, 'a section to close: this "}" has no matching "{"');
      return out;
    }
    const words: string[] = [];
    const line = t.line;
    while (pos.i < tokens.length && (tokens[pos.i]!.kind === 'word' || tokens[pos.i]!.kind === 'string')) words.push(tokens[pos.i++]!.text);
    const end = tokens[pos.i];
    if (!end) throw new ImportError(file, tokens[tokens.length - 1]?.line ?? line, `";" or "{" after "${words.join(' ').slice(0, 60)}"`);
    if (words.length === 0) throw new ImportError(file, end.line, `a keyword before "${end.text}"`);
    pos.i++;
    if (end.kind === ';') out.push({ words, line });
    else if (end.kind === '{') {
      const block = parseBlock(file, tokens, pos, depth + 1);
      const close = tokens[pos.i];
      if (!close || close.kind !== '}') throw new ImportError(file, tokens[tokens.length - 1]?.line ?? line, `a "}" closing the section "${words.join(' ').slice(0, 60)}" opened on line ${line}`);
      pos.i++;
      out.push({ words, line, block });
    } else throw new ImportError(file, end.line, `";" or "{" after "${words.join(' ').slice(0, 60)}"`);
  }
  if (depth > 0) throw new ImportError(file, tokens[tokens.length - 1]?.line ?? 1, 'a "}" closing the section before the end of the file');
  return out;
}

/** Parses drbd.conf syntax into statements (exported for the hostile-input tests). */
export function parseDrbdConfig(file: string, text: string): Stmt[] {
  return parseBlock(file, tokenize(file, text), { i: 0 }, 0);
}

const netOf = (block: Stmt[] | undefined) => {
  const net = block?.find((s) => s.words[0] === 'net')?.block;
  return {
    protocol: net?.find((s) => s.words[0] === 'protocol'),
    fencing: net?.find((s) => s.words[0] === 'fencing'),
  };
};

/** Builds a topology from DRBD .res files: a system per node (host), a volume per node and DRBD volume, a pair per connection from the primary. */
export function importDrbd(files: FileMap, name = 'Imported from DRBD'): ImportResult {
  try {
    return { ok: true, ...buildTopology(readDrbd(files, name)) };
  } catch (e) {
    if (e instanceof ImportError) return { ok: false, errors: [e] };
    throw e;
  }
}

function readDrbd(files: FileMap, name: string): ImportedDesign {
  const systems = new Map<string, ImportedSystem>();
  const volumes: ImportedVolume[] = [];
  const pairs: ImportedPair[] = [];
  const notes: string[] = [];
  let commonNet: ReturnType<typeof netOf> = { protocol: undefined, fencing: undefined };
  const entries = Object.entries(files).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  if (!entries.length) throw new ImportError('(no files)', 1, 'at least one DRBD .res file');
  let resourceCount = 0;
  for (const [file, text] of entries) {
    if (text.length > MAX_IMPORT_FILE_BYTES) throw new ImportError(file, 1, `a configuration file of at most ${MAX_IMPORT_FILE_BYTES / 1024 / 1024} MiB`);
    const top = parseDrbdConfig(file, text);
    for (const s of top) {
      const kw = s.words[0];
      if (kw === 'common') commonNet = netOf(s.block);
      else if (kw === 'global' || kw === 'skip') continue;
      else if (kw === 'include') notes.push(`${file}:${s.line}: include "${s.words[1] ?? ''}" is not followed; import the included files too`);
      else if (kw === 'resource') {
        if (!s.block || s.words.length !== 2) throw new ImportError(file, s.line, 'resource NAME { ... }');
        resourceCount++;
        readResource(file, s, commonNet, { systems, volumes, pairs, notes });
      } else throw new ImportError(file, s.line, `a resource, common, global or include section, found "${String(kw).slice(0, 40)}"`);
    }
  }
  if (!resourceCount) throw new ImportError(entries[0]![0], 1, 'at least one "resource NAME { ... }" section');
  notes.push('DRBD does not say which node is primary (a runtime role): the node with the lowest node-id is taken as the primary of each resource');
  return { name, description: `Imported from DRBD 9 resource files: ${entries.map(([f]) => f).join(', ')}`.slice(0, 5000), systems: [...systems.values()], volumes, pairs, notes };
}

function readResource(
  file: string,
  res: Stmt,
  commonNet: ReturnType<typeof netOf>,
  into: { systems: Map<string, ImportedSystem>; volumes: ImportedVolume[]; pairs: ImportedPair[]; notes: string[] },
) {
  const resName = res.words[1]!;
  const block = res.block!;
  const resNet = netOf(block);
  const volumeNumbers = (b: Stmt[] | undefined) => (b ?? []).filter((s) => s.words[0] === 'volume').map((s) => s.words[1] ?? '0');
  const resourceVolumes = volumeNumbers(block);
  const diskOf = (b: Stmt[] | undefined, vnr: string) =>
    b?.find((s) => s.words[0] === 'volume' && (s.words[1] ?? '0') === vnr)?.block?.find((s) => s.words[0] === 'disk')?.words[1] ?? b?.find((s) => s.words[0] === 'disk')?.words[1];
  const hosts: { host: string; nodeId: number; line: number; volumes: string[] }[] = [];
  for (const s of block) {
    if (s.words[0] !== 'on') continue;
    const host = s.words[1];
    if (!host || !s.block) throw new ImportError(file, s.line, 'on HOST { node-id N; address IP:PORT; ... }');
    const nodeIdStmt = s.block.find((x) => x.words[0] === 'node-id');
    const nodeId = nodeIdStmt ? Number(nodeIdStmt.words[1]) : hosts.length;
    if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > 31) throw new ImportError(file, nodeIdStmt?.line ?? s.line, `a node-id from 0 to 31, found "${String(nodeIdStmt?.words[1]).slice(0, 20)}"`);
    if (hosts.some((h) => h.host === host)) throw new ImportError(file, s.line, `one "on ${host}" section per resource`);
    if (hosts.some((h) => h.nodeId === nodeId)) throw new ImportError(file, nodeIdStmt?.line ?? s.line, `a node-id not used by another node, found ${nodeId} again`);
    const vnrs = [...new Set([...resourceVolumes, ...volumeNumbers(s.block)])];
    if (vnrs.length > 256) throw new ImportError(file, s.line, 'at most 256 volumes in a resource');
    hosts.push({ host, nodeId, line: s.line, volumes: vnrs.length ? vnrs : ['0'] });
    if (!into.systems.has(host)) into.systems.set(host, { key: host, id: host, name: host });
    for (const vnr of hosts[hosts.length - 1]!.volumes) {
      const disk = diskOf(s.block, vnr) ?? diskOf(block, vnr);
      const fromPath = disk && /^\/dev\/relaylab\/([A-Za-z0-9_.-]+)$/.exec(disk)?.[1];
      into.volumes.push({ key: `${resName}/${host}/${vnr}`, systemKey: host, ...(fromPath ? { id: fromPath } : {}), name: fromPath ?? `${resName}/${vnr} on ${host}` });
    }
  }
  if (hosts.length < 2) throw new ImportError(file, res.line, `at least two "on HOST" sections in resource ${resName}`);
  const primary = [...hosts].sort((a, b) => a.nodeId - b.nodeId)[0]!;
  const connections: { a: string; b: string; line: number; net: ReturnType<typeof netOf> }[] = [];
  for (const s of block) {
    if (connections.length > 1024) throw new ImportError(file, s.line, 'at most 1024 connections in a resource');
    if (s.words[0] === 'connection') {
      let hs = (s.block ?? []).filter((x) => x.words[0] === 'host').map((x) => x.words[1] ?? '');
      // DRBD 9 may name the hosts only inside `path { host A address ...; host B address ...; }`.
      if (!hs.length) hs = [...new Set((s.block ?? []).filter((x) => x.words[0] === 'path').flatMap((x) => (x.block ?? []).filter((y) => y.words[0] === 'host').map((y) => y.words[1] ?? '')))];
      if (hs.length !== 2) throw new ImportError(file, s.line, `a connection with two "host NAME;" lines, found ${hs.length}`);
      connections.push({ a: hs[0]!, b: hs[1]!, line: s.line, net: netOf(s.block) });
    } else if (s.words[0] === 'connection-mesh') {
      const hs = (s.block ?? []).find((x) => x.words[0] === 'hosts')?.words.slice(1) ?? [];
      if (hs.length < 2 || hs.length > 32) throw new ImportError(file, s.line, 'connection-mesh { hosts A B ...; } with 2 to 32 hosts');
      const net = netOf(s.block);
      for (let i = 0; i < hs.length; i++) for (let j = i + 1; j < hs.length; j++) connections.push({ a: hs[i]!, b: hs[j]!, line: s.line, net });
    }
  }
  // Two nodes and no connection section: DRBD connects them.
  if (!connections.length && hosts.length === 2) connections.push({ a: hosts[0]!.host, b: hosts[1]!.host, line: res.line, net: { protocol: undefined, fencing: undefined } });
  for (const c of connections) {
    for (const h of [c.a, c.b]) if (!hosts.some((x) => x.host === h)) throw new ImportError(file, c.line, `a host defined by an "on ${h}" section of resource ${resName}`);
    if (c.a !== primary.host && c.b !== primary.host) {
      into.notes.push(`${file}:${c.line}: the connection ${c.a} - ${c.b} does not involve the primary ${primary.host}; DRBD uses it after a failover, RelayLab models only the primary's streams, so it is not imported`);
      continue;
    }
    const peer = c.a === primary.host ? c.b : c.a;
    const protoStmt = c.net.protocol ?? resNet.protocol ?? commonNet.protocol;
    const protocol = protoStmt?.words[1] ?? 'C';
    if (!['A', 'B', 'C'].includes(protocol)) throw new ImportError(file, protoStmt!.line, `protocol A, B or C, found "${protocol.slice(0, 20)}"`);
    if (!protoStmt) into.notes.push(`${file}:${c.line}: no protocol given for ${primary.host} - ${peer}: DRBD's default, C (synchronous), is used`);
    if (protocol === 'B') into.notes.push(`${file}:${c.line}: protocol B (memory synchronous) is imported as a synchronous pair`);
    const fencingStmt = c.net.fencing ?? resNet.fencing ?? commonNet.fencing;
    const fencing = fencingStmt?.words[1];
    if (fencing !== undefined && !(fencing in FENCE_OF)) throw new ImportError(file, fencingStmt!.line, `fencing dont-care, resource-only or resource-and-stonith, found "${fencing.slice(0, 30)}"`);
    // B (memory synchronous) waits for the peer like C, so it is a synchronous pair.
    const mode: PairMode = protocol === PROTOCOL.async ? 'async' : 'sync';
    const peerHost = hosts.find((h) => h.host === peer)!;
    for (const vnr of primary.volumes) {
      if (!peerHost.volumes.includes(vnr)) continue;
      const id = `${resName}-${peer}${primary.volumes.length > 1 ? `-v${vnr}` : ''}`;
      into.pairs.push({
        id,
        name: `${resName}: ${primary.host} -> ${peer}`,
        primaryKey: `${resName}/${primary.host}/${vnr}`,
        secondaryKey: `${resName}/${peer}/${vnr}`,
        mode,
        fence: mode === 'sync' ? FENCE_OF[fencing ?? 'dont-care']! : 'never',
      });
    }
  }
}
