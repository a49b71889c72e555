// Writes the built-in topologies (the patent's nine embodiments, and FIG. 1 with a delta-resync standby pair) and index.json. Run: node assets/topologies/generate.mjs
// The JSON files are the product; this script only keeps their shared parts (local site, remote, external system 40) identical.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Host write rate of the template workload: 800 IOPS x 4 KiB = 3.2 MiB/s. */
const WORKLOAD = { iops: 800, blockBytes: 4096 };
/**
 * Hitachi's journal rule: capacity > (host write rate - link rate) x outage. With the link down the whole
 * write rate piles up: 3.2 MiB/s x 300 s (a five-minute WAN outage) = 960 MiB, rounded up to 1 GiB.
 */
const JOURNAL_BYTES = 1 * GiB;

function wwnFactory() {
  let n = 0;
  return () => {
    n++;
    const hex = n.toString(16).padStart(8, '0');
    return `50:06:0e:80:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}`;
  };
}

/** A small builder so each figure reads as a list of what the patent draws. */
function doc(name, description) {
  const wwn = wwnFactory();
  const t = {
    formatVersion: 2,
    name,
    description,
    sites: [],
    siteDistances: [],
    systems: [],
    hosts: [],
    ports: [],
    cables: [],
    volumes: [],
    lus: [],
    caches: [],
    pairs: [],
    syncLatencyBoundMs: 5,
    layout: { nodes: {} },
  };
  const api = {
    t,
    site: (id, name, xKm, yKm, description) => t.sites.push({ id, name, xKm, yKm, ...(description ? { description } : {}) }),
    system: (id, name, siteId, role, description) =>
      t.systems.push({ id, name, siteId, role, trackBytes: 262144, chaProcessingUs: 50, destageUsPerTrack: 500, ...(description ? { description } : {}) }),
    host: (id, name, siteId, workloads = []) => t.hosts.push({ id, name, siteId, workloads }),
    port: (id, name, ownerId, kind, extra = {}) => t.ports.push({ id, name, ownerId, kind, wwn: wwn(), ...extra }),
    cable: (id, name, kind, aPortId, bPortId, distanceKm, bandwidthMbps, extra = {}) =>
      t.cables.push({ id, name, kind, aPortId, bPortId, distanceKm, bandwidthMbps, roundTripsPerWrite: 2, ...extra }),
    real: (id, name, systemId, sizeBytes, backing = { type: 'internal' }) => t.volumes.push({ id, name, systemId, kind: 'real', sizeBytes, backing }),
    virtual: (id, name, systemId, ranges) =>
      t.volumes.push({
        id,
        name,
        systemId,
        kind: 'virtual',
        ranges: ranges.map((r) => ({ lowerId: r.lowerId, startBytes: r.startBytes ?? 0, lengthBytes: r.lengthBytes, shared: r.shared ?? false })),
      }),
    alias: (id, name, systemId, aliasOfId, path) =>
      t.volumes.push({ id, name, systemId, kind: 'virtualReal', aliasOfId, ...(path ? { path } : {}) }),
    lu: (id, name, portId, lun, volumeId, sizeBytes, startBytes = 0, shared = false) =>
      t.lus.push({ id, name, portId, lun, volumeId, startBytes, sizeBytes, shared }),
    cache: (id, name, systemId, sizeBytes, volumeIds) => t.caches.push({ id, name, systemId, sizeBytes, volumeIds, writePendingThreshold: 0.7 }),
    syncPair: (id, name, primaryVolumeId, secondaryVolumeId) =>
      t.pairs.push({ id, name, primaryVolumeId, secondaryVolumeId, mode: 'sync', fence: 'data', inflowControl: true, standby: false, copyPace: 15, autoResync: false, initially: 'create' }),
    asyncPair: (id, name, primaryVolumeId, secondaryVolumeId, consistencyGroup) =>
      t.pairs.push({
        id,
        name,
        primaryVolumeId,
        secondaryVolumeId,
        mode: 'async',
        fence: 'never',
        inflowControl: true,
        standby: false,
        journalBytes: JOURNAL_BYTES,
        consistencyGroup,
        copyPace: 15,
        autoResync: false,
        initially: 'create',
      }),
  };
  return api;
}

/**
 * The local site every figure shares: host 1 writes to LU11 (V11) through CN1; the local system's
 * IP11 reaches the relay's `relayTargetPortId` over CN2, 60 km of 16 Gbit/s FC (synchronous leg).
 */
function localSite(b, relayTargetPortId) {
  b.site('site-local', 'Local site', 0, 0, 'Production data centre: the host and the copy source volume V11.');
  b.site('site-relay', 'Relay site', 60, 0, 'Metro distance from the local site: close enough for synchronous copy.');
  b.system('sys10', 'Local system 10', 'site-local', 'local', 'Holds the copy source volume V11 the host writes to.');
  b.host('host1', 'Host computer 1', 'site-local', [
    { id: 'wl1', luId: 'LU11', iops: WORKLOAD.iops, blockBytes: WORKLOAD.blockBytes, readRatio: 0, pattern: 'random', hotspotFraction: 0.2, startMs: 0 },
  ]);
  b.port('HBA1', 'HBA1', 'host1', 'initiator');
  b.port('TP11', 'TP11', 'sys10', 'target');
  b.port('IP11', 'IP11', 'sys10', 'initiator');
  b.cable('CN1', 'CN1', 'fc', 'HBA1', 'TP11', 0.1, 16000);
  b.real('R11', 'R11', 'sys10', 1 * GiB);
  b.virtual('V11', 'V11', 'sys10', [{ lowerId: 'R11', lengthBytes: 1 * GiB }]);
  b.lu('LU11', 'LU11', 'TP11', 0, 'V11', 1 * GiB);
  b.cache('C11', 'C11', 'sys10', 512 * MiB, ['V11']);
  b.cable('CN2', 'CN2', 'fc', 'IP11', relayTargetPortId, 60, 16000);
}

/** A remote system at `xKm`,`yKm` with TP31 exposing LU31 on its copy destination volume V22 (internal R3). */
function remoteSite(b, suffix, xKm, yKm, sizeBytes = 1 * GiB) {
  const s = suffix;
  b.site(`site-remote${s}`, `Remote site${s ? ' ' + s.toUpperCase() : ''}`, xKm, yKm, 'Far away: out of reach of a regional disaster; fed asynchronously.');
  b.system(`sys30${s}`, `Remote system 30${s}`, `site-remote${s}`, 'remote', 'Holds the copy destination volume V22.');
  b.port(`TP31${s}`, `TP31${s}`, `sys30${s}`, 'target');
  b.real(`R3${s}`, `R3${s}`, `sys30${s}`, sizeBytes);
  b.virtual(`V22${s}`, `V22${s}`, `sys30${s}`, [{ lowerId: `R3${s}`, lengthBytes: sizeBytes }]);
  b.lu(`LU31${s}`, `LU31${s}`, `TP31${s}`, 0, `V22${s}`, sizeBytes);
  b.cache(`C31${s}`, `C31${s}`, `sys30${s}`, 512 * MiB, [`V22${s}`]);
}

/** External system 40 at the relay site: its R40 is exposed as LU40 and used by the relay as the external real volume R1 (over CN5). */
function externalSystem(b, relayInitiatorPortId) {
  b.system('sys40', 'External system 40', 'site-relay', 'external', 'Provides the physical storage behind the relay\'s R1.');
  b.port('TP41', 'TP41', 'sys40', 'target');
  b.real('R40', 'R40', 'sys40', 1 * GiB);
  b.lu('LU40', 'LU40', 'TP41', 0, 'R40', 1 * GiB);
  b.cable('CN5', 'CN5', 'fc', relayInitiatorPortId, 'TP41', 0.5, 16000);
  b.real('R1', 'R1', 'sys20', 1 * GiB, { type: 'external', initiatorPortId: relayInitiatorPortId, luId: 'LU40' });
}

function relaySystem(b, description) {
  b.system('sys20', 'Relay system 20', 'site-relay', 'relay', description);
}

const WAN = (b, id, name, from, to, km, mbps = 2500) => b.cable(id, name, 'ip', from, to, km, mbps, { roundTripsPerWrite: 1 });

const figures = [];

// FIG. 1: first embodiment.
{
  const b = doc(
    'FIG. 1: cascade through a virtual real volume and an internal loop',
    'The relay receives V11\'s writes synchronously into V12, whose "real" volume R2 is only an alias of V21 reached through the loop cable CN3; V21 sends them on asynchronously to V22 and lies on R1, an LU of external system 40.',
  );
  relaySystem(b, 'Receives into V12 (cache C12), loops to V21 (cache C21) over CN3, sends to the remote and stores in system 40.');
  localSite(b, 'TP21');
  b.port('TP21', 'TP21', 'sys20', 'target');
  b.port('IP21', 'IP21', 'sys20', 'initiator');
  b.port('TP22', 'TP22', 'sys20', 'target');
  // The patent: IP22 reaches TP31 over CN4 and TP41 over CN5, so IP22 sits behind a switch (two fabric paths).
  b.port('IP22', 'IP22', 'sys20', 'initiator', { fabric: true });
  externalSystem(b, 'IP22');
  b.virtual('V21', 'V21', 'sys20', [{ lowerId: 'R1', lengthBytes: 1 * GiB }]);
  b.lu('LU22', 'LU22', 'TP22', 0, 'V21', 1 * GiB);
  b.alias('R2', 'R2', 'sys20', 'V21', { initiatorPortId: 'IP21', luId: 'LU22' });
  b.virtual('V12', 'V12', 'sys20', [{ lowerId: 'R2', lengthBytes: 1 * GiB }]);
  b.lu('LU21', 'LU21', 'TP21', 0, 'V12', 1 * GiB);
  b.cache('C12', 'C12', 'sys20', 512 * MiB, ['V12']);
  b.cache('C21', 'C21', 'sys20', 512 * MiB, ['V21']);
  b.cable('CN3', 'CN3', 'internal-loop', 'IP21', 'TP22', 0, 32000);
  remoteSite(b, '', 660, 0);
  WAN(b, 'CN4', 'CN4', 'IP22', 'TP31', 600);
  b.syncPair('pair-sync', 'V11 -> V12 (sync)', 'V11', 'V12');
  b.asyncPair('pair-async', 'V21 -> V22 (async)', 'V21', 'V22', 'cg1');
  // A class script and an exercise: the open, checkable teaching material a scenario file can carry.
  b.t.scenario = {
    timeline: [],
    script: [
      { title: '1. The synchronous leg', text: 'Press Play and watch pair V11 -> V12 reach PAIR. Every host write waits for the relay\'s cache C12 to hold it: the host latency chart shows the 60 km round trips of CN2.', question: 'Why is the host write latency at least 1.2 ms here?' },
      { title: '2. Through the relay', text: 'Open the Training tab and step one write: S11-S16 at TP21, S21/S22 at IP21 over the loop cable CN3, S31-S35 at TP22 into cache C21, S41-S44 at IP22 towards the remote.', question: 'Which volume is the secondary of the first pair and the primary of the second, and which real volume holds its bytes?' },
      { title: '3. Lose the long-distance link', text: 'Right-click cable CN4 and cut it. Pair V21 -> V22 goes PSUE; the differential bitmap counts the tracks written since. The host keeps writing at the same latency: the asynchronous leg does not slow it.', question: 'What is the remote copy\'s RPO while CN4 is down, and what does it contain?' },
      { title: '4. Recover without a full copy', text: 'Restore CN4, then resync pair V21 -> V22. Only the tracks in the bitmap travel. Verify compares the content hashes of every copy.' },
    ],
    exercises: [
      {
        title: 'Cut and resync the async leg',
        task: 'Cable CN4 to the remote site fails while the host is writing. Restore replication to the remote so that both pairs are in PAIR again, without a full copy of V21.',
        // What must have happened, from the run's history: the cut, the suspension it causes, the repair, a differential resync.
        mustHappen: [
          { event: 'fault', elementId: 'CN4', points: 1 },
          { event: 'pairState', pairId: 'pair-async', state: 'PSUE', points: 1 },
          { event: 'repair', elementId: 'CN4', points: 1 },
          { event: 'differentialResync', pairId: 'pair-async', points: 3 },
        ],
        inOrder: true,
        atEnd: [
          { check: 'pairState', pairId: 'pair-sync', state: 'PAIR', side: 'pair', points: 1 },
          { check: 'pairState', pairId: 'pair-async', state: 'PAIR', side: 'pair', points: 1 },
          { check: 'noFullCopy', points: 2 },
        ],
        hints: [
          'Right-click cable CN4 to cut it while the run plays, and watch pair V21 -> V22.',
          'A cut cable must be restored before the pair can copy again.',
          'Resync (pairresync) copies only the tracks in the differential bitmap; deleting and re-creating the pair would copy all of V21.',
        ],
      },
    ],
  };
  // Keep the canonical key order of serializeTopology: scenario before layout.
  const { layout } = b.t;
  delete b.t.layout;
  b.t.layout = layout;
  figures.push({ file: 'fig01-loop-cascade.relaylab.json', figure: 'FIG. 1', doc: b.t,
    description: 'A write from the host is copied at once to the relay 60 km away, looped inside the relay from V12 to V21 over cable CN3, then sent on later to the remote site 600 km away.' });
}

// FIG. 1 plus a delta-resync standby pair (Hitachi 3DC): local -> remote over its own cable CN6, in HOLD.
{
  const base = figures.find((f) => f.figure === 'FIG. 1');
  const t = JSON.parse(JSON.stringify(base.doc));
  t.name = 'FIG. 1 with a delta-resync standby pair (3DC)';
  t.description =
    'FIG. 1 plus a standby asynchronous pair V11 -> V22 over its own cable CN6. It stays in HOLD, keeping the writes the remote has not yet applied through the relay; if the relay is lost, Delta resync sends only those, in order, so the remote stays consistent and no full copy is needed.';
  t.ports.push({ id: 'IP13', name: 'IP13', ownerId: 'sys10', kind: 'initiator', wwn: '50:06:0e:80:00:00:01:13' });
  t.ports.push({ id: 'TP32', name: 'TP32', ownerId: 'sys30', kind: 'target', wwn: '50:06:0e:80:00:00:03:32' });
  // LU31 (the relay's target) and LU32 (the standby's) expose the same V22.
  for (const lu of t.lus) if (lu.id === 'LU31') lu.shared = true;
  t.lus.push({ id: 'LU32', name: 'LU32', portId: 'TP32', lun: 0, volumeId: 'V22', startBytes: 0, sizeBytes: 1 * GiB, shared: true });
  t.cables.push({ id: 'CN6', name: 'CN6', kind: 'ip', aPortId: 'IP13', bPortId: 'TP32', distanceKm: 660, bandwidthMbps: 2500, roundTripsPerWrite: 1 });
  t.pairs.push({
    id: 'pair-delta',
    name: 'V11 -> V22 (delta-resync standby)',
    primaryVolumeId: 'V11',
    secondaryVolumeId: 'V22',
    mode: 'async',
    fence: 'never',
    inflowControl: true,
    standby: true,
    journalBytes: JOURNAL_BYTES,
    consistencyGroup: 'cg-delta',
    copyPace: 15,
    autoResync: false,
    initially: 'create',
  });
  t.scenario = {
    timeline: [],
    script: [
      { title: '1. The standby pair', text: 'Press Play. Pairs V11 -> V12 and V21 -> V22 replicate as in FIG. 1; pair V11 -> V22 stays in HOLD: the local system keeps each write until the remote has applied it through the relay.' },
      { title: '2. Lose the relay', text: 'Right-click Relay system 20 and fail it. The sync leg suspends (fence data: the host\'s writes fail until you lift the fence on pair V11 -> V12, or fail the relay with the sync leg at fence never).' },
      { title: '3. Delta resync', text: 'Right-click pair V11 -> V22 and choose Delta resync. Only the records the remote lacks travel over CN6, in order: V22 stays a consistent image throughout, and no full copy of V11 is needed. Verify compares V11 and V22.', question: 'Why would a bitmap copy leave V22 inconsistent while it runs, and the delta resync not?' },
    ],
    exercises: [],
  };
  const { layout } = t;
  delete t.layout;
  t.layout = layout;
  figures.push({ file: 'fig01-delta-resync.relaylab.json', figure: 'FIG. 1 + 3DC', doc: t,
    description: 'The cascade of the first embodiment with a standby pair from the local site straight to the remote site that, if the relay is lost, sends the remote only the writes it has not yet received.' });
}

// Exercises that need a starting scenario of their own (faults that fire by themselves) or other settings: FIG. 1 or its
// 3DC variant with the fault in the timeline and one exercise each. (FIG. 1's own file carries the CN4 exercise.)
function exerciseFigure(baseFigure, file, name, description, timeline, exercise, tweak = () => {}) {
  const base = figures.find((f) => f.figure === baseFigure);
  const t = JSON.parse(JSON.stringify(base.doc));
  t.name = name;
  t.description = description;
  tweak(t);
  t.scenario = { timeline, script: [], exercises: [exercise] };
  const { layout } = t;
  delete t.layout;
  t.layout = layout;
  figures.push({ file, figure: `${baseFigure} exercise`, doc: t, description: `${exercise.task.split('. ')[0].replace(/\.$/, '')}.` });
}
const cmdAt = (atMs, command, note) => ({ atMs, command, note });

exerciseFigure(
  'FIG. 1',
  'fig01-exercise-relay-fence.relaylab.json',
  'Exercise: relay disaster with fence data',
  'FIG. 1 with a sequential workload; the relay system fails at 5 s and comes back at 15 s. The synchronous leg has fence level data, so the host\'s writes are refused until the operator acts.',
  [
    cmdAt(5000, { type: 'failSystem', systemId: 'sys20' }, 'The relay system 20 fails. Pair V11 -> V12 has fence level data: V11 now refuses the host\'s writes.'),
    cmdAt(15000, { type: 'restoreSystem', systemId: 'sys20' }, 'The relay system 20 is repaired.'),
  ],
  {
    title: 'Relay disaster with fence data, and recover',
    task: 'The relay system fails at 5 s and the host\'s writes start failing (fence level data). Get the host writing again, then, once the relay is back at 15 s, bring both pairs back to PAIR so that the remote V22 holds the same data as V11.',
    mustHappen: [
      { event: 'fault', elementId: 'sys20', points: 1 },
      { event: 'writeRefused', hostId: 'host1', points: 1 },
      { event: 'fenceLifted', pairId: 'pair-sync', points: 2 },
      { event: 'repair', elementId: 'sys20', points: 1 },
      { event: 'differentialResync', pairId: 'pair-sync', points: 2 },
      { event: 'pairState', pairId: 'pair-async', state: 'PAIR', points: 1 },
    ],
    inOrder: true,
    atEnd: [
      { check: 'pairState', pairId: 'pair-sync', state: 'PAIR', side: 'pair', points: 1 },
      { check: 'pairState', pairId: 'pair-async', state: 'PAIR', side: 'pair', points: 1 },
      { check: 'identical', volumeA: 'V11', volumeB: 'V22', points: 2 },
    ],
    hints: [
      'A P-VOL fenced with level data refuses writes once it cannot update its S-VOL. Right-click pair V11 -> V12: Lift fence lets the host write again; the bitmap records what changed.',
      'Resync the synchronous leg first (it feeds the relay), then the asynchronous one.',
      'Verify compares V11 and V22 once both pairs are in PAIR and the journal drained.',
    ],
  },
  (t) => {
    for (const h of t.hosts) for (const w of h.workloads) w.pattern = 'sequential';
  },
);

exerciseFigure(
  'FIG. 1',
  'fig01-exercise-local-disaster.relaylab.json',
  'Exercise: local disaster, take over at the relay',
  'FIG. 1; the whole local site fails at 10 s, host and storage system 10 with it.',
  [cmdAt(10000, { type: 'failSite', siteId: 'site-local' }, 'The local site is lost: host 1 and the local system 10 are down.')],
  {
    title: 'Local disaster: take over at the relay, keep the remote protected',
    task: 'The local site fails at 10 s. Make the relay\'s copy V12 the one applications can write to, without losing an acknowledged write, and keep the remote V22 protected by the asynchronous pair.',
    mustHappen: [
      { event: 'fault', elementId: 'site-local', points: 1 },
      { event: 'takeover', pairId: 'pair-sync', points: 3 },
    ],
    inOrder: true,
    atEnd: [
      { check: 'pairState', pairId: 'pair-sync', state: 'SSWS', side: 'secondary', points: 1 },
      { check: 'noAckedWriteLost', pairId: 'pair-sync', points: 2 },
      { check: 'pairState', pairId: 'pair-async', state: 'PAIR', side: 'pair', points: 2 },
      { check: 'identical', volumeA: 'V12', volumeB: 'V22', points: 1 },
    ],
    hints: [
      'After a primary-site disaster the S-VOL of the synchronous pair still says PAIR: it does not know the primary is gone.',
      'Takeover (horctakeover) on pair V11 -> V12 makes V12 writable (SSWS). Do not touch the asynchronous pair: it keeps V22 up to date.',
    ],
  },
);

exerciseFigure(
  'FIG. 1',
  'fig01-exercise-journal-sizing.relaylab.json',
  'Exercise: size the journal for a 60 s outage',
  'FIG. 1 with both pairs starting in PAIR and a 128 MiB journal without inflow control; the WAN cable CN4 drops to 1 Mbit/s from 10 s to 70 s.',
  [
    cmdAt(10000, { type: 'setCable', cableId: 'CN4', bandwidthMbps: 1 }, 'The WAN to the remote degrades to 1 Mbit/s for 60 s.'),
    cmdAt(70000, { type: 'setCable', cableId: 'CN4', bandwidthMbps: 2500 }, 'The WAN is back to 2.5 Gbit/s.'),
  ],
  {
    title: 'Size the journal to ride through a 60 s outage',
    task: 'The WAN to the remote nearly stops for 60 s (10 s to 70 s) while the host writes 3.2 MiB/s. Edit the journal size of pair V21 -> V22 so the pair rides through it: it must never suspend (PFUS or PSUE), and the remote\'s RPO must stay within 75 s. Run until 90 s, then check.',
    mustHappen: [],
    inOrder: true,
    atEnd: [
      { check: 'neverState', pairId: 'pair-async', states: ['PFUS', 'PSUE'], points: 3 },
      { check: 'rpoBound', pairId: 'pair-async', maxMs: 75000, points: 2 },
      { check: 'pairState', pairId: 'pair-async', state: 'PAIR', side: 'pair', points: 1 },
    ],
    hints: [
      'Select pair V21 -> V22 and look at its journal size in the properties panel.',
      'Hitachi\'s rule: journal capacity > (host write rate - link rate) x outage. Here about 3.2 MiB/s x 60 s.',
      'Keep a margin: PFUL starts at 80% full, and with inflow control off a full journal suspends the pair.',
    ],
  },
  (t) => {
    for (const p of t.pairs) p.initially = 'paired';
    const p = t.pairs.find((q) => q.id === 'pair-async');
    p.journalBytes = 128 * MiB;
    p.inflowControl = false;
  },
);

exerciseFigure(
  'FIG. 1 + 3DC',
  'fig01-exercise-delta-resync.relaylab.json',
  'Exercise: delta resync after losing the relay',
  'FIG. 1 with the delta-resync standby pair; the relay system fails at 10 s.',
  [cmdAt(10000, { type: 'failSystem', systemId: 'sys20' }, 'The relay system 20 fails: the remote no longer receives anything.')],
  {
    title: 'Delta resync after losing the relay',
    task: 'The relay fails at 10 s. Protect the remote again straight from the local site, sending only the writes the remote lacks: no full copy of V11.',
    mustHappen: [
      { event: 'fault', elementId: 'sys20', points: 1 },
      { event: 'deltaResync', pairId: 'pair-delta', points: 3 },
    ],
    inOrder: true,
    atEnd: [
      { check: 'pairState', pairId: 'pair-delta', state: 'PAIR', side: 'pair', points: 2 },
      { check: 'identical', volumeA: 'V11', volumeB: 'V22', points: 2 },
      { check: 'noFullCopy', points: 1 },
    ],
    hints: [
      'Pair V11 -> V22 has stood by in HOLD the whole time, keeping the writes the remote has not applied yet.',
      'Right-click pair V11 -> V22: Delta resync. The host\'s writes are refused by the fence of the sync leg until you lift it.',
    ],
  },
);

// FIG. 7: second embodiment, intercache copy instead of CN3.
{
  const b = doc(
    'FIG. 7: cascade by intercache copy',
    'As FIG. 1, but the relay has no loop cable: data received into cache C12 is copied to cache C21 through shared memory, and R2 aliases V21 directly.',
  );
  relaySystem(b, 'Receives into V12 (C12), copies cache to cache into V21 (C21), sends to the remote and stores in system 40.');
  localSite(b, 'TP21');
  b.port('TP21', 'TP21', 'sys20', 'target');
  // The patent: IP22 reaches TP31 over CN4 and TP41 over CN5, so IP22 sits behind a switch (two fabric paths).
  b.port('IP22', 'IP22', 'sys20', 'initiator', { fabric: true });
  externalSystem(b, 'IP22');
  b.virtual('V21', 'V21', 'sys20', [{ lowerId: 'R1', lengthBytes: 1 * GiB }]);
  b.alias('R2', 'R2', 'sys20', 'V21');
  b.virtual('V12', 'V12', 'sys20', [{ lowerId: 'R2', lengthBytes: 1 * GiB }]);
  b.lu('LU21', 'LU21', 'TP21', 0, 'V12', 1 * GiB);
  b.cache('C12', 'C12', 'sys20', 512 * MiB, ['V12']);
  b.cache('C21', 'C21', 'sys20', 512 * MiB, ['V21']);
  remoteSite(b, '', 660, 0);
  WAN(b, 'CN4', 'CN4', 'IP22', 'TP31', 600);
  b.syncPair('pair-sync', 'V11 -> V12 (sync)', 'V11', 'V12');
  b.asyncPair('pair-async', 'V21 -> V22 (async)', 'V21', 'V22', 'cg1');
  figures.push({ file: 'fig07-intercache-copy.relaylab.json', figure: 'FIG. 7', doc: b.t,
    description: 'The relay moves each write from one cache to the other inside the box instead of over a loop cable, which saves two ports and a round trip.' });
}

// FIG. 9: third embodiment, one shared cache.
{
  const b = doc(
    'FIG. 9: one shared cache',
    'As FIG. 7, but V12 and V21 share one cache C21: the received data is written straight into it and needs no copy between caches.',
  );
  relaySystem(b, 'Receives into the shared cache C21, from which V21 sends to the remote and stores in system 40.');
  localSite(b, 'TP21');
  b.port('TP21', 'TP21', 'sys20', 'target');
  // The patent: IP22 reaches TP31 over CN4 and TP41 over CN5, so IP22 sits behind a switch (two fabric paths).
  b.port('IP22', 'IP22', 'sys20', 'initiator', { fabric: true });
  externalSystem(b, 'IP22');
  b.virtual('V21', 'V21', 'sys20', [{ lowerId: 'R1', lengthBytes: 1 * GiB }]);
  b.alias('R2', 'R2', 'sys20', 'V21');
  b.virtual('V12', 'V12', 'sys20', [{ lowerId: 'R2', lengthBytes: 1 * GiB }]);
  b.lu('LU21', 'LU21', 'TP21', 0, 'V12', 1 * GiB);
  b.cache('C21', 'C21 (shared)', 'sys20', 1 * GiB, ['V12', 'V21']);
  remoteSite(b, '', 660, 0);
  WAN(b, 'CN4', 'CN4', 'IP22', 'TP31', 600);
  b.syncPair('pair-sync', 'V11 -> V12 (sync)', 'V11', 'V12');
  b.asyncPair('pair-async', 'V21 -> V22 (async)', 'V21', 'V22', 'cg1');
  figures.push({ file: 'fig09-shared-cache.relaylab.json', figure: 'FIG. 9', doc: b.t,
    description: 'The relay keeps one cache for both its receiving and its sending volume, so a write lands once and is sent on from the same place.' });
}

// FIG. 11: fourth embodiment, internal real volume R1a shared by V12 and V21.
{
  const b = doc(
    'FIG. 11: an internal real volume shared by two virtual volumes',
    'V12 and V21 are both allocated to the relay\'s own disk R1a (multiple virtualization); no external system is needed.',
  );
  relaySystem(b, 'V12 (receiving) and V21 (sending) share the internal real volume R1a; caches C12 and C21.');
  localSite(b, 'TP21');
  b.port('TP21', 'TP21', 'sys20', 'target');
  b.port('IP22', 'IP22', 'sys20', 'initiator');
  b.real('R1a', 'R1a', 'sys20', 1 * GiB);
  b.virtual('V12', 'V12', 'sys20', [{ lowerId: 'R1a', lengthBytes: 1 * GiB, shared: true }]);
  b.virtual('V21', 'V21', 'sys20', [{ lowerId: 'R1a', lengthBytes: 1 * GiB, shared: true }]);
  b.lu('LU21', 'LU21', 'TP21', 0, 'V12', 1 * GiB);
  b.cache('C12', 'C12', 'sys20', 512 * MiB, ['V12']);
  b.cache('C21', 'C21', 'sys20', 512 * MiB, ['V21']);
  remoteSite(b, '', 660, 0);
  WAN(b, 'CN4', 'CN4', 'IP22', 'TP31', 600);
  b.syncPair('pair-sync', 'V11 -> V12 (sync)', 'V11', 'V12');
  b.asyncPair('pair-async', 'V21 -> V22 (async)', 'V21', 'V22', 'cg1');
  figures.push({ file: 'fig11-internal-real-volume.relaylab.json', figure: 'FIG. 11', doc: b.t,
    description: 'The relay stores the data on its own disk R1a, which its receiving volume V12 and its sending volume V21 both sit on.' });
}

// FIG. 12: fifth embodiment, fan-out to two remote systems.
{
  const b = doc(
    'FIG. 12: fan-out to two remote sites',
    'Three virtual volumes (V12, V21a, V21b) share the external real volume R1 and one shared cache C21; V21a feeds remote system 30a and V21b remote system 30b.',
  );
  relaySystem(b, 'Receives into the shared cache C21; V21a and V21b each send to their own remote system.');
  localSite(b, 'TP21');
  b.port('TP21', 'TP21', 'sys20', 'target');
  b.port('IP22', 'IP22', 'sys20', 'initiator');
  b.port('IP23', 'IP23', 'sys20', 'initiator');
  b.port('IP24', 'IP24', 'sys20', 'initiator');
  externalSystem(b, 'IP24');
  b.virtual('V12', 'V12', 'sys20', [{ lowerId: 'R1', lengthBytes: 1 * GiB, shared: true }]);
  b.virtual('V21a', 'V21a', 'sys20', [{ lowerId: 'R1', lengthBytes: 1 * GiB, shared: true }]);
  b.virtual('V21b', 'V21b', 'sys20', [{ lowerId: 'R1', lengthBytes: 1 * GiB, shared: true }]);
  b.lu('LU21', 'LU21', 'TP21', 0, 'V12', 1 * GiB);
  b.cache('C21', 'C21 (shared)', 'sys20', 1 * GiB, ['V12', 'V21a', 'V21b']);
  remoteSite(b, 'a', 560, -300);
  remoteSite(b, 'b', 700, 350);
  WAN(b, 'CN4a', 'CN4a', 'IP22', 'TP31a', 590, 2500);
  WAN(b, 'CN4b', 'CN4b', 'IP23', 'TP31b', 730, 1000);
  b.syncPair('pair-sync', 'V11 -> V12 (sync)', 'V11', 'V12');
  b.asyncPair('pair-async-a', 'V21a -> V22a (async)', 'V21a', 'V22a', 'cg-a');
  b.asyncPair('pair-async-b', 'V21b -> V22b (async)', 'V21b', 'V22b', 'cg-b');
  figures.push({ file: 'fig12-fan-out.relaylab.json', figure: 'FIG. 12', doc: b.t,
    description: 'One relay sends every write on to two remote sites in different directions, so a copy survives even if one remote site is lost too.' });
}

// FIG. 13: sixth embodiment, one switchable port behind a changeover switch.
{
  const b = doc(
    'FIG. 13: one port switching between target and initiator',
    'The relay\'s single port TP21/IP21 is switched by changeover switch 50: as a target it receives from the local system over CN2, as an initiator it sends to the remote over CN4, never both at once.',
  );
  relaySystem(b, 'One switchable port does both receiving and sending, in turns; V12 and V21 linked by intercache copy.');
  localSite(b, 'SP21');
  b.port('SP21', 'TP21/IP21', 'sys20', 'switchable');
  b.port('IP23', 'IP23', 'sys20', 'initiator');
  externalSystem(b, 'IP23');
  b.virtual('V21', 'V21', 'sys20', [{ lowerId: 'R1', lengthBytes: 1 * GiB }]);
  b.alias('R2', 'R2', 'sys20', 'V21');
  b.virtual('V12', 'V12', 'sys20', [{ lowerId: 'R2', lengthBytes: 1 * GiB }]);
  b.lu('LU21', 'LU21', 'SP21', 0, 'V12', 1 * GiB);
  b.cache('C12', 'C12', 'sys20', 512 * MiB, ['V12']);
  b.cache('C21', 'C21', 'sys20', 512 * MiB, ['V21']);
  remoteSite(b, '', 660, 0);
  b.cable('CN4', 'CN4', 'ip', 'SP21', 'TP31', 600, 2500, { roundTripsPerWrite: 1, switchGroup: 'switch50' });
  // CN2 was added by localSite; it shares the changeover switch with CN4.
  b.t.cables.find((c) => c.id === 'CN2').switchGroup = 'switch50';
  b.syncPair('pair-sync', 'V11 -> V12 (sync)', 'V11', 'V12');
  b.asyncPair('pair-async', 'V21 -> V22 (async)', 'V21', 'V22', 'cg1');
  figures.push({ file: 'fig13-switchable-port.relaylab.json', figure: 'FIG. 13', doc: b.t,
    description: 'The relay has one port that receives from the local site at one moment and sends to the remote site at another, switched between the two cables.' });
}

// FIG. 14: seventh embodiment, LU layering (V100 on R100; LU101-103; V200 on LU102; LU200 on V200).
{
  const b = doc(
    'FIG. 14: an upper virtual volume on an LU of a lower one',
    'V100 (3 GiB on R100) carries LU101-103; the upper virtual volume V200 sits on LU102 and receives the local writes through LU200; LU101 and LU103 serve other hosts at the relay site; the whole of V100 is sent to the remote.',
  );
  relaySystem(b, 'Stack LU200 -> V200 -> LU102 -> part of V100 -> part of R100; LU101 and LU103 are other services.');
  localSite(b, 'TP21');
  b.port('TP21', 'TP21', 'sys20', 'target');
  b.port('TP22', 'TP22', 'sys20', 'target');
  b.port('TP23', 'TP23', 'sys20', 'target');
  b.port('TP24', 'TP24', 'sys20', 'target');
  b.port('IP22', 'IP22', 'sys20', 'initiator');
  b.real('R100', 'R100', 'sys20', 3 * GiB);
  b.virtual('V100', 'V100', 'sys20', [{ lowerId: 'R100', lengthBytes: 3 * GiB }]);
  b.lu('LU101', 'LU101', 'TP23', 0, 'V100', 1 * GiB, 0);
  b.lu('LU102', 'LU102', 'TP22', 0, 'V100', 1 * GiB, 1 * GiB);
  b.lu('LU103', 'LU103', 'TP24', 0, 'V100', 1 * GiB, 2 * GiB);
  b.virtual('V200', 'V200', 'sys20', [{ lowerId: 'LU102', lengthBytes: 1 * GiB }]);
  b.lu('LU200', 'LU200', 'TP21', 0, 'V200', 1 * GiB);
  b.cache('C12', 'C12', 'sys20', 512 * MiB, ['V200']);
  b.cache('C21', 'C21', 'sys20', 1 * GiB, ['V100']);
  b.host('host2', 'Mail server (relay site)', 'site-relay', [
    { id: 'wl2', luId: 'LU101', iops: 200, blockBytes: 8192, readRatio: 0.5, pattern: 'random', hotspotFraction: 0.2, startMs: 0 },
  ]);
  b.port('HBA2', 'HBA2', 'host2', 'initiator');
  b.cable('CN6', 'CN6', 'fc', 'HBA2', 'TP23', 0.1, 16000);
  b.host('host3', 'Customer database (relay site)', 'site-relay', [
    { id: 'wl3', luId: 'LU103', iops: 300, blockBytes: 4096, readRatio: 0.3, pattern: 'hotspot', hotspotFraction: 0.1, startMs: 0 },
  ]);
  b.port('HBA3', 'HBA3', 'host3', 'initiator');
  b.cable('CN7', 'CN7', 'fc', 'HBA3', 'TP24', 0.1, 16000);
  remoteSite(b, '', 660, 0, 3 * GiB);
  WAN(b, 'CN4', 'CN4', 'IP22', 'TP31', 600, 10000);
  b.syncPair('pair-sync', 'V11 -> V200 (sync)', 'V11', 'V200');
  b.asyncPair('pair-async', 'V100 -> V22 (async)', 'V100', 'V22', 'cg1');
  figures.push({ file: 'fig14-lu-layering.relaylab.json', figure: 'FIG. 14', doc: b.t,
    description: 'The relay builds its receiving volume V200 on one LU carved out of a bigger volume V100, whose other LUs serve two local servers, and sends all of V100 to the remote.' });
}

// FIG. 15: eighth embodiment, parallel V100 and V101 on R100; LU101-103 and LU104-106 pairwise share areas.
{
  const b = doc(
    'FIG. 15: two parallel virtual volumes with paired LUs',
    'V100 and V101 both map all of R100; LU101/LU104, LU102/LU105 and LU103/LU106 cover the same bytes; V12 on LU101 receives, V21 on LU104 sends, so a write received is already in place to be sent.',
  );
  relaySystem(b, 'V100 and V101 in parallel on R100; receiving V12 on LU101 and sending V21 on LU104 share R100\'s first GiB.');
  localSite(b, 'TP21');
  b.port('TP21', 'TP21', 'sys20', 'target');
  b.port('TP22', 'TP22', 'sys20', 'target');
  b.port('TP23', 'TP23', 'sys20', 'target');
  b.port('IP22', 'IP22', 'sys20', 'initiator');
  b.real('R100', 'R100', 'sys20', 3 * GiB);
  b.virtual('V100', 'V100', 'sys20', [{ lowerId: 'R100', lengthBytes: 3 * GiB, shared: true }]);
  b.virtual('V101', 'V101', 'sys20', [{ lowerId: 'R100', lengthBytes: 3 * GiB, shared: true }]);
  // LU102 is exposed on TP23 to a separate application at the relay site; its twin LU105 sees the same bytes.
  for (let i = 0; i < 3; i++) {
    b.lu(`LU10${i + 1}`, `LU10${i + 1}`, i === 1 ? 'TP23' : 'TP22', i, 'V100', 1 * GiB, i * GiB);
    b.lu(`LU10${i + 4}`, `LU10${i + 4}`, 'TP22', i + 3, 'V101', 1 * GiB, i * GiB);
  }
  b.virtual('V12', 'V12', 'sys20', [{ lowerId: 'LU101', lengthBytes: 1 * GiB }]);
  b.virtual('V21', 'V21', 'sys20', [{ lowerId: 'LU104', lengthBytes: 1 * GiB }]);
  b.lu('LU21', 'LU21', 'TP21', 0, 'V12', 1 * GiB);
  b.cache('C12', 'C12', 'sys20', 512 * MiB, ['V12']);
  b.cache('C21', 'C21', 'sys20', 512 * MiB, ['V21']);
  b.host('host2', 'Application server (relay site)', 'site-relay', [
    { id: 'wl2', luId: 'LU102', iops: 200, blockBytes: 8192, readRatio: 0.5, pattern: 'random', hotspotFraction: 0.2, startMs: 0 },
  ]);
  b.port('HBA2', 'HBA2', 'host2', 'initiator');
  b.cable('CN6', 'CN6', 'fc', 'HBA2', 'TP23', 0.1, 16000);
  remoteSite(b, '', 660, 0);
  WAN(b, 'CN4', 'CN4', 'IP22', 'TP31', 600);
  b.syncPair('pair-sync', 'V11 -> V12 (sync)', 'V11', 'V12');
  b.asyncPair('pair-async', 'V21 -> V22 (async)', 'V21', 'V22', 'cg1');
  figures.push({ file: 'fig15-parallel-virtual-volumes.relaylab.json', figure: 'FIG. 15', doc: b.t,
    description: 'Two virtual volumes lie side by side on one disk, and each LU of the first has a twin LU on the second that sees the same bytes, so what arrives through one is sent on through its twin.' });
}

// FIG. 16: ninth embodiment, LU101 and LU102 on the same part of V100 (the shared part acts as the shared cache).
{
  const b = doc(
    'FIG. 16: two LUs on one virtual volume as a shared cache',
    'LU101 (under the receiving V12) and LU102 (under the sending V21) cover the same first GiB of V100, so that shared area plays the part of FIG. 9\'s shared cache.',
  );
  relaySystem(b, 'V12 on LU101 and V21 on LU102; both LUs cover V100[0, 1 GiB).');
  localSite(b, 'TP21');
  b.port('TP21', 'TP21', 'sys20', 'target');
  b.port('TP22', 'TP22', 'sys20', 'target');
  b.port('IP22', 'IP22', 'sys20', 'initiator');
  b.real('R100', 'R100', 'sys20', 2 * GiB);
  b.virtual('V100', 'V100', 'sys20', [{ lowerId: 'R100', lengthBytes: 2 * GiB }]);
  b.lu('LU101', 'LU101', 'TP22', 0, 'V100', 1 * GiB, 0, true);
  b.lu('LU102', 'LU102', 'TP22', 1, 'V100', 1 * GiB, 0, true);
  b.virtual('V12', 'V12', 'sys20', [{ lowerId: 'LU101', lengthBytes: 1 * GiB }]);
  b.virtual('V21', 'V21', 'sys20', [{ lowerId: 'LU102', lengthBytes: 1 * GiB }]);
  b.lu('LU21', 'LU21', 'TP21', 0, 'V12', 1 * GiB);
  b.cache('C21', 'C21 (shared)', 'sys20', 1 * GiB, ['V12', 'V21']);
  remoteSite(b, '', 660, 0);
  WAN(b, 'CN4', 'CN4', 'IP22', 'TP31', 600);
  b.syncPair('pair-sync', 'V11 -> V12 (sync)', 'V11', 'V12');
  b.asyncPair('pair-async', 'V21 -> V22 (async)', 'V21', 'V22', 'cg1');
  figures.push({ file: 'fig16-shared-lu-area.relaylab.json', figure: 'FIG. 16', doc: b.t,
    description: 'Two LUs of the relay overlap on the same part of one volume, so data received through the first is already where the second sends it from.' });
}

/** Share of the primaries' tracks that hold data when a built-in figure starts: the initial copies then have work to show. */
const INITIAL_FILL = 0.2;

/** The internal real volumes whose bytes a volume (or LU) shows, down its mapping stack. */
function storesUnder(t, id, seen = new Set()) {
  if (seen.has(id)) return [];
  seen.add(id);
  const lu = t.lus.find((l) => l.id === id);
  if (lu) return storesUnder(t, lu.volumeId, seen);
  const v = t.volumes.find((x) => x.id === id);
  if (!v) return [];
  if (v.kind === 'real') return v.backing.type === 'internal' ? [v.id] : storesUnder(t, v.backing.luId, seen);
  if (v.kind === 'virtualReal') return storesUnder(t, v.aliasOfId, seen);
  return v.ranges.flatMap((r) => storesUnder(t, r.lowerId, seen));
}

/**
 * Gives a figure's primaries data to start with: every internal real volume under a pair's primary gets INITIAL_FILL of
 * its tracks, from one seed per figure. A store also under a secondary (the relay of a cascade) starts empty, so no copy
 * has to overwrite stale data and Verify stays exact.
 */
function fillPrimaries(t, seed) {
  const primary = new Set(t.pairs.flatMap((p) => storesUnder(t, p.primaryVolumeId)));
  const secondary = new Set(t.pairs.flatMap((p) => storesUnder(t, p.secondaryVolumeId)));
  for (const v of t.volumes) {
    if (v.kind !== 'real' || v.backing.type !== 'internal' || !primary.has(v.id)) continue;
    // A relay store (also under a secondary) starts empty: it receives the data by the copies, which then converge while the hosts write.
    if (secondary.has(v.id)) continue;
    v.initialFill = { fraction: INITIAL_FILL, pattern: 'scattered', seed };
  }
}

const index = [];
for (const f of figures) {
  fillPrimaries(f.doc, f.file.replace('.relaylab.json', ''));
  writeFileSync(join(here, f.file), JSON.stringify(f.doc, null, 2) + '\n');
  index.push({ file: f.file, figure: f.figure, title: f.doc.name, description: f.description });
}
// The exercise files come after the figures in the gallery.
const isExercise = (e) => e.figure.endsWith(' exercise');
index.sort((a, b) => Number(isExercise(a)) - Number(isExercise(b)));
writeFileSync(join(here, 'index.json'), JSON.stringify(index, null, 2) + '\n');
console.log(`wrote ${figures.length} topologies`);
