// Live pieces drawn on the canvas: pair badges on volumes, moving data on pair and cable edges, cache fill, highlight styles and the right-click menu of faults and operations.
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useDoc } from '../store/document';
import { useLive } from './store';
import { pairBadge, pairIsMoving, pairsOfVolume } from './model';
import type { PairBadge } from './model';
import { command } from './controller';
import type { EngineCommand, PairOp, PairState, PairStatus } from '../../app/engine/api';
import { PAIR_OP_RULES, pairOpAvailability, type PairFacts as PairRuleFacts } from '../../app/engine/pair-rules';
import type { Topology } from '../../app/model/schema';

function BadgeChip({ badge, role }: { badge: PairBadge; role: 'primary' | 'secondary' }) {
  return (
    <div className={`live-badge tone-${badge.tone}`} title={badge.tooltip} data-testid="pair-badge" data-pair-id={badge.pairId} data-state={badge.state} data-role={role}>
      <span className="live-badge-state">{badge.label}</span>
      {role === 'secondary' && badge.progress !== undefined ? (
        <span className="live-progress" data-testid="copy-progress">
          <span className="live-progress-fill" style={{ width: `${Math.round(badge.progress * 100)}%` }} />
          <span className="live-progress-text">{badge.progressText}</span>
        </span>
      ) : null}
      {role === 'secondary' && badge.progress === undefined && badge.lagText ? <span className="live-badge-extra">{badge.lagText}</span> : null}
      {role === 'secondary' && badge.differentialText ? (
        <span className="live-badge-extra diff" data-testid="differential-count">
          {badge.differentialText}
        </span>
      ) : null}
    </div>
  );
}

/** Pair state of every pair this volume is in: the secondary side carries progress, RPO and differential count. */
export const LiveVolumeBadges = memo(function LiveVolumeBadges({ volumeId }: { volumeId: string }) {
  const roles = useDoc((s) => JSON.stringify(pairsOfVolume(s.doc, volumeId)));
  const pairs = useMemo(() => JSON.parse(roles) as ReturnType<typeof pairsOfVolume>, [roles]);
  const statuses = useLive((s) => s.snapshot?.pairs);
  if (!statuses || !pairs.length) return null;
  const chips = pairs.flatMap(({ pairId, role }) => {
    const st = statuses.find((p) => p.id === pairId);
    return st ? [{ badge: pairBadge(st, role), role }] : [];
  });
  if (!chips.length) return null;
  return (
    <div className="live-badges nodrag">
      {chips.map(({ badge, role }) => (
        <BadgeChip key={`${badge.pairId}:${role}`} badge={badge} role={role} />
      ))}
    </div>
  );
});

/** The pair's state on its edge, and dots moving primary -> secondary while it copies or replicates. */
export const LivePairFlow = memo(function LivePairFlow({ pairId, path }: { pairId: string; path: string }) {
  const status = useLive((s) => s.snapshot?.pairs.find((p) => p.id === pairId));
  if (!status) return null;
  const tone = pairBadge(status).tone;
  const moving = pairIsMoving(status);
  const dur = status.state === 'COPY' ? 1.2 : 2;
  return (
    <g className={`live-pair-flow tone-${tone}`} data-testid="pair-flow" data-pair-id={pairId} data-state={status.state}>
      <path d={path} className="live-pair-overlay" fill="none" />
      {moving
        ? [0, 1, 2].map((i) => (
            <circle key={i} r={status.state === 'COPY' ? 4 : 3} className="live-packet">
              <animateMotion dur={`${dur}s`} repeatCount="indefinite" begin={`${(i * dur) / 3}s`} path={path} />
            </circle>
          ))
        : null}
      {status.mode === 'async' && status.issuedSeq !== undefined && status.appliedSeq !== undefined ? (
        <JournalQueue path={path} records={status.issuedSeq - status.appliedSeq} />
      ) : null}
    </g>
  );
});

/** Records drawn at most on an async pair's line; the label gives the exact count. */
const JOURNAL_RECORDS_DRAWN = 12;

/** The async journal as a queue of records on the pair's line, waiting before the secondary: issued but not yet applied there. */
function JournalQueue({ path, records }: { path: string; records: number }) {
  const ref = useRef<SVGPathElement>(null);
  const [points, setPoints] = useState<{ x: number; y: number }[]>([]);
  const drawn = Math.min(JOURNAL_RECORDS_DRAWN, Math.max(0, records));
  useLayoutEffect(() => {
    const p = ref.current;
    if (!p || typeof p.getTotalLength !== 'function') return;
    const length = p.getTotalLength();
    const out: { x: number; y: number }[] = [];
    for (let i = 0; i < drawn; i++) {
      const q = p.getPointAtLength(Math.max(0, length * 0.88 - i * 11));
      out.push({ x: q.x, y: q.y });
    }
    setPoints(out);
  }, [path, drawn]);
  return (
    <g className="live-journal-queue" data-testid="journal-queue" data-records={records}>
      <path ref={ref} d={path} fill="none" stroke="none" />
      {points.map((q, i) => (
        <rect key={i} x={q.x - 4} y={q.y - 4} width={8} height={8} rx={1.5} className="live-journal-record" data-testid="journal-record" />
      ))}
      {records > 0 && points[0] ? (
        <text x={points[0].x} y={points[0].y - 9} className="live-journal-count">
          {records.toLocaleString('en-US')} in journal
        </text>
      ) : null}
    </g>
  );
}

/** A cut cable turns red and dashed with a cross; a busy cable shows its utilisation. */
export const LiveCableState = memo(function LiveCableState({ cableId, path, x, y }: { cableId: string; path: string; x: number; y: number }) {
  const link = useLive((s) => s.snapshot?.links.find((l) => l.id === cableId));
  if (!link) return null;
  return (
    <g className={`live-cable ${link.up ? 'is-up' : 'is-cut'}`} data-testid="cable-state" data-cable-id={cableId} data-up={link.up} data-utilization={link.utilization.toFixed(3)}>
      <path d={path} className="live-cable-overlay" fill="none" />
      {/* Flow density: the busier the cable, the wider its glow (what tokens cannot show at 100x and beyond). */}
      {link.up && link.utilization > 0 ? <path d={path} className="live-cable-load" fill="none" style={{ strokeWidth: 2 + 10 * Math.min(1, link.utilization) }} /> : null}
      {link.up ? (
        link.utilization > 0.005 ? (
          <text x={x} y={y + 20} className="live-cable-util">
            {Math.round(link.utilization * 100)}% busy
          </text>
        ) : null
      ) : (
        <g transform={`translate(${x},${y - 18})`} className="live-cable-cut">
          <circle r={9} />
          <path d="M-4,-4 L4,4 M4,-4 L-4,4" />
        </g>
      )}
    </g>
  );
});

/** A fill bar under a cache node: used and dirty slots, and whether the disk adapter is destaging. */
export const LiveCacheFill = memo(function LiveCacheFill({ cacheId }: { cacheId: string }) {
  const c = useLive((s) => s.snapshot?.caches.find((x) => x.id === cacheId));
  if (!c) return null;
  const used = c.slotsTotal ? c.slotsUsed / c.slotsTotal : 0;
  const dirty = c.slotsTotal ? c.dirtySlots / c.slotsTotal : 0;
  return (
    <div className="live-cache-fill nodrag" title={`${c.slotsUsed} of ${c.slotsTotal} slots used, ${c.dirtySlots} dirty${c.destaging ? ', destaging' : ''}`} data-testid="cache-fill">
      <span className="bar">
        <span className="used" style={{ width: `${used * 100}%` }} />
        <span className="dirty" style={{ width: `${dirty * 100}%` }} />
      </span>
      <span className="text">
        {c.dirtySlots} dirty{c.destaging ? ' · destaging' : ''}
      </span>
    </div>
  );
});

/**
 * Highlights as a style sheet keyed by element id: the training step's actor and the elements it touches, failed systems
 * and sites. Styling by id keeps the node components free of live state.
 */
export const LiveHighlights = memo(function LiveHighlights() {
  const highlight = useLive((s) => s.highlight);
  const failed = useLive((s) => s.snapshot?.failedSystems);
  const pairs = useLive((s) => s.snapshot?.pairs);
  const css = useMemo(() => {
    const rules: string[] = [];
    const node = (id: string) => `.react-flow__node[data-id="${id}"] > .rl-node`;
    const edge = (id: string) => `.react-flow__edge[data-id="${id}"] .react-flow__edge-path`;
    if (highlight?.ids.length) {
      const [actor, ...related] = highlight.ids;
      rules.push(`${node(actor!)} { outline: 3px solid var(--live-hl); outline-offset: 3px; box-shadow: 0 0 0 8px color-mix(in srgb, var(--live-hl) 25%, transparent) !important; }`);
      rules.push(`${edge(actor!)} { stroke: var(--live-hl) !important; stroke-width: 5px !important; }`);
      for (const id of related) {
        rules.push(`${node(id)} { outline: 2px dashed var(--live-hl); outline-offset: 3px; }`);
        rules.push(`${edge(id)} { stroke: var(--live-hl) !important; stroke-width: 4px !important; }`);
      }
    }
    for (const id of failed ?? []) rules.push(`${node(id)} { background: repeating-linear-gradient(135deg, color-mix(in srgb, var(--error) 10%, transparent) 0 10px, transparent 10px 20px) !important; border-color: var(--error) !important; }`);
    return rules.join('\n');
  }, [highlight, failed]);
  return <style data-testid="live-highlight-style">{css}</style>;
});

/** The step being shown, floating over the canvas while training or after a click in the log. */
export const LiveStepBanner = memo(function LiveStepBanner() {
  const h = useLive((s) => s.highlight);
  if (!h || h.source === 'slot') return null;
  return (
    <div className="live-step-banner" data-testid="step-banner" data-step={h.step}>
      <span className="live-step-name">{h.step}</span>
      <span className="live-step-text">{h.text}</span>
    </div>
  );
});

// ------------------------------------------------------------------ context menu (Run section)

export interface MenuItem {
  label: string;
  command: EngineCommand;
  /** Why the item is offered but cannot be chosen now (shown as its tooltip); absent when it can. */
  disabledReason?: string;
  /** Tooltip of an enabled item: what it does. */
  does?: string;
}

type Target = { kind: 'cable' | 'system' | 'site' | 'pair'; id: string; name: string };

/** Order of the pair operations in the menu: the everyday ones first. */
const PAIR_MENU_OPS: readonly PairOp[] = ['split', 'resync', 'takeover', 'liftFence', 'swapResync', 'failback', 'create', 'delete'];

/** The state a pair starts in when the run has not been loaded yet (what the engine will make of `initially`). */
function startingState(t: Topology, pairId: string): PairState {
  const initially = t.pairs.find((p) => p.id === pairId)?.initially ?? 'create';
  return initially === 'simplex' ? 'SMPL' : initially === 'paired' ? 'PAIR' : 'COPY';
}

/** The pair operations, each enabled or disabled with its reason by the pair-rules table (app/engine/pair-rules.ts). */
export function pairMenu(pairId: string, state: PairState, facts: PairRuleFacts = {}): MenuItem[] {
  return PAIR_MENU_OPS.map((op) => {
    const rule = PAIR_OP_RULES[op];
    const a = pairOpAvailability(op, state, facts);
    return { label: rule.label, command: { type: 'pair', pairId, op }, does: rule.does, ...(a.allowed ? {} : { disabledReason: a.reason }) };
  });
}

function menuFor(target: Target, cutCables: ReadonlySet<string>, failedSystems: ReadonlySet<string>, pairState: PairState, pairFacts: PairRuleFacts): MenuItem[] {
  switch (target.kind) {
    case 'cable':
      return cutCables.has(target.id)
        ? [{ label: `Restore cable ${target.name}`, command: { type: 'restoreCable', cableId: target.id } }]
        : [{ label: `Cut cable ${target.name}`, command: { type: 'cutCable', cableId: target.id } }];
    case 'system':
      return failedSystems.has(target.id)
        ? [{ label: `Restore ${target.name}`, command: { type: 'restoreSystem', systemId: target.id } }]
        : [{ label: `Fail ${target.name}`, command: { type: 'failSystem', systemId: target.id } }];
    case 'site':
      return [
        { label: `Fail site ${target.name} (disaster)`, command: { type: 'failSite', siteId: target.id } },
        { label: `Restore site ${target.name}`, command: { type: 'restoreSite', siteId: target.id } },
      ];
    case 'pair':
      return pairMenu(target.id, pairState, pairFacts);
  }
}

/**
 * The "Run" section of the canvas's right-click menu: on a cable, a system, a site or a pair, the faults and pair operations
 * of the live run, sent to the engine at once (the engine is loaded with the document first if need be). Pair operations
 * the pair's state refuses stay in the menu, disabled, with the reason as their tooltip.
 */
export function LiveMenuItems({ targetId, onDone }: { targetId: string; onDone: () => void }) {
  const doc = useDoc((s) => s.doc);
  const links = useLive((s) => s.snapshot?.links);
  const failed = useLive((s) => s.snapshot?.failedSystems);
  const live = useLive((s) => s.snapshot?.pairs.find((p) => p.id === targetId));
  const target = resolveTarget(doc, targetId);
  if (!target) return null;
  const cut = new Set((links ?? []).filter((l) => !l.up).map((l) => l.id));
  const pairState = live?.state ?? startingState(doc, targetId);
  const items = menuFor(target, cut, new Set(failed ?? []), pairState, live?.fenced ? { fenced: true } : {});
  return (
    <div data-testid="live-context-menu">
      <div className="menu-section">
        Run · {target.kind} {target.name}
        {target.kind === 'pair' ? <span data-testid="live-menu-pair-state"> · {pairState}</span> : null}
      </div>
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          className={`menu-item${item.disabledReason ? ' is-disabled' : ''}`}
          data-testid="live-menu-item"
          aria-disabled={item.disabledReason ? true : undefined}
          title={item.disabledReason ?? item.does}
          onClick={() => {
            if (item.disabledReason) return;
            onDone();
            void command(item.command);
          }}
        >
          <span>{item.label}</span>
        </button>
      ))}
    </div>
  );
}

function resolveTarget(doc: Topology, id: string): Target | null {
  const cable = doc.cables.find((c) => c.id === id);
  if (cable) return { kind: 'cable', id, name: cable.name || id };
  const pair = doc.pairs.find((p) => p.id === id);
  if (pair) return { kind: 'pair', id, name: pair.name || id };
  const system = doc.systems.find((s) => s.id === id);
  if (system) return { kind: 'system', id, name: system.name || id };
  const site = doc.sites.find((s) => s.id === id);
  if (site) return { kind: 'site', id, name: site.name || id };
  return null;
}
