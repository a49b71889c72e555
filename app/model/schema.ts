// The topology file format (*.relaylab.json): zod schemas for every element kind, version 1.
import { z } from 'zod';

export const FORMAT_VERSION = 2 as const;
export const FILE_EXTENSION = '.relaylab.json';

/** Stable element id: letters, digits, '-', '_', '.'; unique across the whole document. */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.-]+$/, 'ids use letters, digits, "-", "_" and "." only')
  // As a key of a plain object (layout.nodes) it would replace the object's prototype instead of adding an entry.
  .refine((id) => id !== '__proto__', 'the id "__proto__" is reserved');
export type Id = z.infer<typeof Id>;

const Name = z.string().max(200);
const Bytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const PositiveBytes = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** World-wide name, eight colon-separated hex bytes, e.g. 50:06:0e:80:00:00:00:01. */
export const Wwn = z
  .string()
  .regex(/^([0-9a-fA-F]{2}:){7}[0-9a-fA-F]{2}$/, 'a WWN is eight hex bytes separated by ":"');

export const Site = z.strictObject({
  id: Id,
  name: Name,
  /** Map position in km (a flat projection is enough for distances of a few 1,000 km). */
  xKm: z.number().finite().optional(),
  yKm: z.number().finite().optional(),
  description: z.string().max(2000).optional(),
});
export type Site = z.infer<typeof Site>;

export const SiteDistance = z.strictObject({
  siteAId: Id,
  siteBId: Id,
  distanceKm: z.number().finite().nonnegative(),
});
export type SiteDistance = z.infer<typeof SiteDistance>;

export const StorageSystem = z.strictObject({
  id: Id,
  name: Name,
  siteId: Id,
  /** Free text: local, relay, remote, external ... a use, not a type. */
  role: z.string().max(100).default(''),
  /** Cache slot / bitmap granule (track) size. Hitachi: 256 KiB. */
  trackBytes: PositiveBytes.default(262144),
  /** Channel-adapter processing per command, microseconds. */
  chaProcessingUs: z.number().finite().nonnegative().default(50),
  /** Disk-adapter destage time per track, microseconds. */
  destageUsPerTrack: z.number().finite().nonnegative().default(500),
  /** Array serial number (Hitachi CCI's Serial#); when absent, exports derive one (app/interop/identifiers.ts). */
  serialNumber: z.number().int().min(1).max(999_999).optional(),
  description: z.string().max(2000).optional(),
});
export type StorageSystem = z.infer<typeof StorageSystem>;

/** Records a recorded trace may hold (a bound on memory and on the scheduler's pending events). */
export const MAX_TRACE_RECORDS = 100_000;

/** One recorded I/O: issued `atUs` after the workload's start, at `offsetBytes` of the LU. */
export const TraceRecord = z.strictObject({
  atUs: z.number().finite().nonnegative(),
  op: z.enum(['read', 'write']),
  offsetBytes: Bytes,
  lengthBytes: z.number().int().positive().max(64 * 1024 * 1024),
});
export type TraceRecord = z.infer<typeof TraceRecord>;

/**
 * A recorded I/O trace replayed instead of the synthetic pattern: records are issued at their times (relative to the
 * workload's startMs) in time order, ties in file order. With `loop`, the trace starts again one period later, the period
 * being the last record's time plus the mean gap between records (1 ms for a single record).
 * That each record lies inside the LU is checked by validation ('trace-out-of-range').
 */
export const WorkloadTrace = z.strictObject({
  records: z.array(TraceRecord).max(MAX_TRACE_RECORDS),
  loop: z.boolean().default(false),
});
export type WorkloadTrace = z.infer<typeof WorkloadTrace>;

export const Workload = z.strictObject({
  id: Id,
  /** LU the host writes to (an LU on a target port cabled to one of the host's ports). */
  luId: Id,
  iops: z.number().finite().nonnegative().max(10_000_000),
  blockBytes: PositiveBytes.default(4096),
  /** Share of reads, 0..1; writes are the rest. */
  readRatio: z.number().min(0).max(1).default(0),
  pattern: z.enum(['random', 'sequential', 'hotspot']).default('random'),
  /** For 'hotspot': share of the LU that takes 80% of the I/O. */
  hotspotFraction: z.number().gt(0).max(1).default(0.2),
  startMs: z.number().finite().nonnegative().default(0),
  durationMs: z.number().finite().positive().optional(),
  /** A recorded trace replayed instead of iops/blockBytes/readRatio/pattern (which then do not apply). */
  trace: WorkloadTrace.optional(),
});
export type Workload = z.infer<typeof Workload>;

export const Host = z.strictObject({
  id: Id,
  name: Name,
  siteId: Id,
  workloads: z.array(Workload).default([]),
  description: z.string().max(2000).optional(),
});
export type Host = z.infer<typeof Host>;

export const PortKind = z.enum(['target', 'initiator', 'switchable']);
export type PortKind = z.infer<typeof PortKind>;

export const Port = z.strictObject({
  id: Id,
  name: Name,
  /** The storage system or host this port belongs to. */
  ownerId: Id,
  kind: PortKind,
  wwn: Wwn,
  /**
   * The port is attached to a fabric (an FC switch): it may carry several cables, each one fabric path to a different
   * peer port, modelled as a separate link with its own distance and bandwidth (the patent's IP22 reaches both TP31
   * over CN4 and TP41 over CN5). Absent = false: a plain point-to-point port takes one cable. Not on a switchable port.
   */
  fabric: z.boolean().optional(),
});
export type Port = z.infer<typeof Port>;

export const CableKind = z.enum(['fc', 'ip', 'internet', 'internal-loop']);
export type CableKind = z.infer<typeof CableKind>;

export const Cable = z.strictObject({
  id: Id,
  name: Name,
  kind: CableKind,
  aPortId: Id,
  bPortId: Id,
  distanceKm: z.number().finite().nonnegative().max(40_000),
  bandwidthMbps: z.number().finite().positive().max(10_000_000),
  /** Round trips a write needs on this link: 2 for plain SCSI over FC, 1 with "fast write". */
  roundTripsPerWrite: z.union([z.literal(1), z.literal(2)]).default(2),
  /** A changeover switch (FIG. 13): cables sharing a switch group connect one at a time. */
  switchGroup: z.string().max(100).optional(),
});
export type Cable = z.infer<typeof Cable>;

export const InternalBacking = z.strictObject({ type: z.literal('internal') });
/** A real volume whose physical entity is an LU of another (external) system, reached through one of our initiator ports. */
export const ExternalBacking = z.strictObject({
  type: z.literal('external'),
  initiatorPortId: Id,
  luId: Id,
});
/**
 * Data a real volume holds when the run starts, so the initial copy has something to send: a fraction of its tracks,
 * chosen and filled from a seed derived from the volume's id (the same file always starts with the same bytes).
 */
export const InitialFill = z.strictObject({
  /** Share of the volume's tracks that hold data, 0-1. */
  fraction: z.number().finite().min(0).max(1),
  /** 'scattered': tracks spread over the volume (seeded); 'front': the first tracks, one contiguous run. */
  pattern: z.enum(['scattered', 'front']).default('scattered'),
  /** Volumes with the same seed, fraction, pattern and track size start with the same bytes (e.g. restored from one backup); the volume's id when absent. */
  seed: z.string().min(1).max(100).optional(),
});
export type InitialFill = z.infer<typeof InitialFill>;

/** The most starting data one volume may hold: the engine materialises it (by reference to one pool) chunk by chunk. */
export const MAX_INITIAL_FILL_BYTES = 4 * 2 ** 30;
/** Bytes a volume's initialFill puts in it (before rounding to whole tracks). */
export function initialFillBytes(sizeBytes: number, fill: InitialFill): number {
  return sizeBytes * fill.fraction;
}

export const RealVolume = z.strictObject({
  id: Id,
  name: Name,
  systemId: Id,
  /** LDEV number in the array (CCI's CU:LDEV, 00:00-FF:FF); when absent, exports derive one (app/interop/identifiers.ts). */
  ldevId: z.number().int().min(0).max(0xffff).optional(),
  kind: z.literal('real'),
  sizeBytes: PositiveBytes,
  backing: z.discriminatedUnion('type', [InternalBacking, ExternalBacking]).default({ type: 'internal' }),
  /** Data on the volume when the run starts (internal volumes only; an external one holds what its LU's volume holds). */
  initialFill: InitialFill.optional(),
});
export type RealVolume = z.infer<typeof RealVolume>;

/** One piece of a virtual volume: `lengthBytes` of a lower volume (or LU) starting at `startBytes`. Pieces are laid end to end. */
export const MappedRange = z.strictObject({
  lowerId: Id,
  startBytes: Bytes,
  lengthBytes: PositiveBytes,
  /** Another virtual volume may map the same bytes (the patent's multiple virtualization). */
  shared: z.boolean().default(false),
});
export type MappedRange = z.infer<typeof MappedRange>;

export const VirtualVolume = z.strictObject({
  id: Id,
  name: Name,
  systemId: Id,
  /** LDEV number in the array (CCI's CU:LDEV); when absent, exports derive one. */
  ldevId: z.number().int().min(0).max(0xffff).optional(),
  kind: z.literal('virtual'),
  ranges: z.array(MappedRange).min(1),
});
export type VirtualVolume = z.infer<typeof VirtualVolume>;

/**
 * Looks real to a port but has no physical entity: an alias of a virtual volume (the patent's R2).
 * With `path`, writes reach the alias through an initiator port, a cable and an LU (FIG. 1's loop CN3);
 * without it, by intercache copy through shared memory (FIG. 7).
 */
export const VirtualRealVolume = z.strictObject({
  id: Id,
  name: Name,
  systemId: Id,
  /** LDEV number in the array (CCI's CU:LDEV); when absent, exports derive one. */
  ldevId: z.number().int().min(0).max(0xffff).optional(),
  kind: z.literal('virtualReal'),
  aliasOfId: Id,
  path: z.strictObject({ initiatorPortId: Id, luId: Id }).optional(),
});
export type VirtualRealVolume = z.infer<typeof VirtualRealVolume>;

export const Volume = z.discriminatedUnion('kind', [RealVolume, VirtualVolume, VirtualRealVolume]);
export type Volume = z.infer<typeof Volume>;
export type VolumeKind = Volume['kind'];

export const Lu = z.strictObject({
  id: Id,
  name: Name,
  /** Target (or switchable) port exposing this LU. */
  portId: Id,
  lun: z.number().int().min(0).max(16383),
  volumeId: Id,
  startBytes: Bytes.default(0),
  sizeBytes: PositiveBytes,
  /** Another LU may cover the same bytes (FIG. 15, FIG. 16). */
  shared: z.boolean().default(false),
});
export type Lu = z.infer<typeof Lu>;

export const Cache = z.strictObject({
  id: Id,
  name: Name,
  systemId: Id,
  sizeBytes: PositiveBytes,
  /** Volumes whose data this cache holds; more than one makes it a shared cache (FIG. 9). */
  volumeIds: z.array(Id).min(1),
  /**
   * Share of the slots that may hold write-pending (dirty) data before host writes are held back until destage frees
   * slots (Hitachi's write-pending throttling starts at about 70%). 1 = only when every slot is dirty.
   */
  writePendingThreshold: z.number().min(0.05).max(1).default(0.7),
});
export type Cache = z.infer<typeof Cache>;

export const PairMode = z.enum(['sync', 'async']);
export type PairMode = z.infer<typeof PairMode>;
export const FenceLevel = z.enum(['data', 'status', 'never']);
export type FenceLevel = z.infer<typeof FenceLevel>;

/**
 * A path group (Hitachi "remote connection"): several cables between the two systems, of which `minPaths` must stay up
 * (TrueCopy/UR remote connection options: up to 8 paths, "minimum number of paths", default 1). A lost path is noticed
 * only after `timeoutMs` (the RIO MIH time: how long the array waits for a remote I/O before it blocks the path, 10-100 s,
 * default 15 s in the TrueCopy user guide's remote connection options); host I/O to the pair waits meanwhile.
 */
export const PathGroup = z.strictObject({
  cableIds: z.array(Id).min(1).max(8),
  minPaths: z.number().int().min(1).max(8).default(1),
  timeoutMs: z.number().finite().positive().max(100_000).default(15_000),
});
export type PathGroup = z.infer<typeof PathGroup>;

export const Pair = z.strictObject({
  id: Id,
  name: Name,
  primaryVolumeId: Id,
  secondaryVolumeId: Id,
  mode: PairMode,
  fence: FenceLevel.default('never'),
  /**
   * Async: Inflow Control (Universal Replicator). On: when the journal is full host writes are held back, and if it stays
   * full past the Data Overflow Watch (60 s) the pair suspends as PFUS. Off: a write that does not fit suspends it (PSUE).
   */
  inflowControl: z.boolean().default(true),
  /**
   * Async: a delta-resync standby pair (Hitachi 3DC: local -> remote beside the cascade). It starts in HOLD, keeps a
   * journal of the primary's writes that the remote has not yet applied through the relay, and `deltaResync` sends only
   * those when the relay is lost.
   */
  standby: z.boolean().default(false),
  /** The cables the pair's updates may take (absent: the one cable its route finds, lost at the instant of a cut). */
  paths: PathGroup.optional(),
  /** Async: journal capacity of this pair's consistency group. */
  journalBytes: PositiveBytes.optional(),
  consistencyGroup: z.string().max(100).optional(),
  /** Tracks copied per pacing interval during initial/differential copy (Hitachi: 1-15). */
  copyPace: z.number().int().min(1).max(15).default(15),
  /** Resync by itself when the fault that suspended it is repaired. */
  autoResync: z.boolean().default(false),
  /** How the pair starts when the run starts: 'create' runs the initial copy, 'paired' assumes it done, 'simplex' leaves it unformed. */
  initially: z.enum(['create', 'paired', 'simplex']).default('create'),
});
export type Pair = z.infer<typeof Pair>;

export const NodeLayout = z.strictObject({
  x: z.number().finite(),
  y: z.number().finite(),
  width: z.number().finite().positive().optional(),
  height: z.number().finite().positive().optional(),
  collapsed: z.boolean().optional(),
});
export type NodeLayout = z.infer<typeof NodeLayout>;

export const Layout = z.strictObject({
  /** Positions keyed by element id, relative to the element's parent on the canvas. */
  nodes: z.record(Id, NodeLayout).default({}),
});
export type Layout = z.infer<typeof Layout>;

/** Pair operations an operator can issue (CCI: paircreate, pairsplit, pairresync, horctakeover, ...). */
export const PairOp = z.enum(['create', 'split', 'resync', 'takeover', 'swapResync', 'failback', 'delete', 'liftFence', 'deltaResync']);
export type PairOp = z.infer<typeof PairOp>;

/**
 * Operator commands and faults, as the engine takes them and as a scenario's timeline holds them: one definition
 * for both (app/engine/api.ts adds the single traced host write to make EngineCommand).
 */
export const OperatorCommandOptions = [
  z.strictObject({ type: z.literal('pair'), pairId: Id, op: PairOp, readWrite: z.boolean().optional() }),
  z.strictObject({ type: z.literal('cutCable'), cableId: Id }),
  z.strictObject({ type: z.literal('restoreCable'), cableId: Id }),
  z.strictObject({ type: z.literal('failSystem'), systemId: Id }),
  z.strictObject({ type: z.literal('restoreSystem'), systemId: Id }),
  z.strictObject({ type: z.literal('failSite'), siteId: Id }),
  z.strictObject({ type: z.literal('restoreSite'), siteId: Id }),
  z.strictObject({ type: z.literal('fillJournal'), pairId: Id }),
  z.strictObject({ type: z.literal('fillCache'), cacheId: Id }),
  z.strictObject({ type: z.literal('setWorkloadsEnabled'), enabled: z.boolean() }),
  /** A cable edited while the run goes on: its distance and bandwidth apply from now on (transfers already sent keep theirs). */
  z.strictObject({
    type: z.literal('setCable'),
    cableId: Id,
    distanceKm: z.number().finite().nonnegative().max(40_000).optional(),
    bandwidthMbps: z.number().finite().positive().max(10_000_000).optional(),
  }),
] as const;
export const OperatorCommand = z.discriminatedUnion('type', OperatorCommandOptions);
export type OperatorCommand = z.infer<typeof OperatorCommand>;

/** One step of a scenario's timeline: a fault or an operator command at a virtual time, with a note for the class. */
export const ScenarioEvent = z.strictObject({
  atMs: z.number().finite().nonnegative().max(1e10),
  command: OperatorCommand,
  /** Shown to the class as a banner when the event fires. */
  note: z.string().max(2000).optional(),
});
export type ScenarioEvent = z.infer<typeof ScenarioEvent>;
/** Pair state names an exercise may name (the engine's, app/engine/api.ts PairState, without the transient ones). */
export const ExercisePairState = z.enum(['SMPL', 'COPY', 'PAIR', 'PFUL', 'PFUS', 'PSUS', 'SSUS', 'PSUE', 'SSWS', 'HOLD']);
export type ExercisePairState = z.infer<typeof ExercisePairState>;

/** Points a check is worth (the score is the sum of the points of the checks met). */
const Points = z.number().int().min(0).max(1000).default(1);

/**
 * Something that must have happened during the run, read from its history of events (app/exercise/grade.ts): faults
 * and repairs, pair states, and the operator's recovery steps as the engine reports them.
 */
export const ExerciseEvent = z.discriminatedUnion('event', [
  /** A cable cut, or a system or site failed (right-click > Cut / Fail). */
  z.strictObject({ event: z.literal('fault'), elementId: Id, points: Points }),
  /** The same restored. */
  z.strictObject({ event: z.literal('repair'), elementId: Id, points: Points }),
  /** The pair went into this state at some point. */
  z.strictObject({ event: z.literal('pairState'), pairId: Id, state: ExercisePairState, points: Points }),
  /** A resync of the pair completed having sent fewer tracks than the volume holds (a differential copy, not a full one). */
  z.strictObject({ event: z.literal('differentialResync'), pairId: Id, points: Points }),
  /** The pair's secondary took over (horctakeover: SSWS, writable). */
  z.strictObject({ event: z.literal('takeover'), pairId: Id, points: Points }),
  /** The operator lifted the data fence of the pair's P-VOL (host writes accepted again, recorded for the resync). */
  z.strictObject({ event: z.literal('fenceLifted'), pairId: Id, points: Points }),
  /** A delta resync of the (standby) pair completed: only the records the remote lacked were sent. */
  z.strictObject({ event: z.literal('deltaResync'), pairId: Id, points: Points }),
  /** The pair's journal filled up: PFUL (over the threshold), PFUS, or a suspension because it was full. */
  z.strictObject({ event: z.literal('journalFull'), pairId: Id, points: Points }),
  /** A host write was refused (e.g. by a data fence, or its system being down); any host when hostId is left out. */
  z.strictObject({ event: z.literal('writeRefused'), hostId: Id.optional(), points: Points }),
]);
export type ExerciseEvent = z.infer<typeof ExerciseEvent>;

/** What must hold when the run is checked (its end), from the engine's status, volume hashes and host counters. */
export const ExerciseEnd = z.discriminatedUnion('check', [
  /** The pair is in this state; `side` reads the P-VOL's or the S-VOL's own status (CCI pairdisplay) instead of the pair's. */
  z.strictObject({ check: z.literal('pairState'), pairId: Id, state: ExercisePairState, side: z.enum(['pair', 'primary', 'secondary']).default('pair'), points: Points }),
  /** Async: the pair's RPO never exceeded this during the run (its largest RPO seen). */
  z.strictObject({ check: z.literal('rpoBound'), pairId: Id, maxMs: z.number().finite().positive().max(1e10), points: Points }),
  /** The pair never went into any of these states during the run. */
  z.strictObject({ check: z.literal('neverState'), pairId: Id, states: z.array(ExercisePairState).min(1).max(10), points: Points }),
  /** Two volumes hold the same bytes (content hashes equal). */
  z.strictObject({ check: z.literal('identical'), volumeA: Id, volumeB: Id, points: Points }),
  /** No acknowledged write lost: every write the host was told is done is on the copy (the copy's content equals the source's). */
  z.strictObject({ check: z.literal('noAckedWriteLost'), pairId: Id, points: Points }),
  /** No pair (or only this one) ran a full copy again after it had been in sync. */
  z.strictObject({ check: z.literal('noFullCopy'), pairId: Id.optional(), points: Points }),
  /** No host write was refused during the run (any host when hostId is left out). */
  z.strictObject({ check: z.literal('noWriteRefused'), hostId: Id.optional(), points: Points }),
]);
export type ExerciseEnd = z.infer<typeof ExerciseEnd>;

/** An exercise an instructor authors: the task, what must happen, what must hold at the end, hints; graded with points. */
export const Exercise = z.strictObject({
  title: z.string().max(200).default(''),
  task: z.string().max(5000),
  /** What must have happened during the run (checked from its history), in this order when `inOrder`. */
  mustHappen: z.array(ExerciseEvent).max(50).default([]),
  inOrder: z.boolean().default(true),
  /** What must hold when the student checks the run. */
  atEnd: z.array(ExerciseEnd).max(50).default([]),
  /** Shown one at a time, on request. */
  hints: z.array(z.string().max(2000)).max(20).default([]),
});
export type Exercise = z.infer<typeof Exercise>;

/** Optional teaching material carried by a scenario file (read by the training views). */
export const Scenario = z.strictObject({
  /**
   * Faults and operator commands played at their virtual times by the app and by `relaylab simulate`, in time order.
   * For the file's exercises this is the starting scenario: the faults that happen by themselves.
   */
  timeline: z.array(ScenarioEvent).max(10_000).default([]),
  script: z
    .array(z.strictObject({ title: z.string().max(200), text: z.string().max(5000), question: z.string().max(2000).optional() }))
    .max(500)
    .default([]),
  /** Exercises on this topology (formatVersion 1 held one, as `exercise`). */
  exercises: z.array(Exercise).max(20).default([]),
});
export type Scenario = z.infer<typeof Scenario>;

export const Topology = z.strictObject({
  formatVersion: z.literal(FORMAT_VERSION),
  name: Name,
  description: z.string().max(5000).default(''),
  sites: z.array(Site).default([]),
  siteDistances: z.array(SiteDistance).default([]),
  systems: z.array(StorageSystem).default([]),
  hosts: z.array(Host).default([]),
  ports: z.array(Port).default([]),
  cables: z.array(Cable).default([]),
  volumes: z.array(Volume).default([]),
  lus: z.array(Lu).default([]),
  caches: z.array(Cache).default([]),
  pairs: z.array(Pair).default([]),
  /** Synchronous hops whose host write response exceeds this raise a warning. */
  syncLatencyBoundMs: z.number().finite().positive().default(5),
  scenario: Scenario.optional(),
  layout: Layout.default({ nodes: {} }),
});
/** A topology as stored and edited (all defaults filled in). */
export type Topology = z.infer<typeof Topology>;
/** A topology as written by hand (defaults may be omitted). */
export type TopologyInput = z.input<typeof Topology>;

/** The element kinds held in the document's flat lists, keyed by list name. */
export const ELEMENT_LISTS = [
  'sites',
  'systems',
  'hosts',
  'ports',
  'cables',
  'volumes',
  'lus',
  'caches',
  'pairs',
] as const;
export type ElementList = (typeof ELEMENT_LISTS)[number];
export type AnyElement = Topology[ElementList][number];

/** The same topology with every volume starting empty (no initialFill): for runs that pin the engine on the figures' shapes. */
export function withoutInitialFill(t: Topology): Topology {
  return {
    ...t,
    volumes: t.volumes.map((v) => {
      const bare: Record<string, unknown> = { ...v };
      delete bare.initialFill;
      return bare as typeof v;
    }),
  };
}

export function emptyTopology(name = 'Untitled'): Topology {
  return Topology.parse({ formatVersion: FORMAT_VERSION, name });
}
