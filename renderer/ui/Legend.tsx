// The canvas legend: what each colour, border, line and pair-state badge means; built from the same tables the canvas draws with.
import { memo } from 'react';
import { PAIR_STATE_EQUIVALENTS } from '../../app/engine/api';
import type { PairState } from '../../app/engine/api';
import { PAIR_TONE } from '../live/model';
import { toggleLegend, useLayout } from './layout';
import { FabricGlyph } from '../canvas/fabric-mark';

const ROLES = [
  ['local', 'local system (primary)'],
  ['relay', 'relay (intermediate)'],
  ['remote', 'remote system (secondary)'],
  ['external', 'external array'],
] as const;

const VOLUMES = [
  ['real', 'real volume (solid, thick left edge)'],
  ['virtual', 'virtual volume (dashed)'],
  ['virtualReal', 'virtual real volume (dotted)'],
] as const;

const LINES = [
  ['rl-cable', 'FC cable (arrow: initiator to target)'],
  ['rl-cable cable-ip', 'IP cable'],
  ['rl-cable cable-internal-loop', 'internal loop cable'],
  ['rl-mapping', 'mapping: volume on the one below'],
  ['rl-pair', 'sync pair (primary to secondary)'],
  ['rl-pair mode-async', 'async pair'],
] as const;

/** The states worth teaching, in the order a pair meets them. */
const STATES: PairState[] = ['SMPL', 'COPY', 'PAIR', 'PFUL', 'PSUS', 'SSUS', 'PSUE', 'SSWS'];

export const Legend = memo(function Legend() {
  const open = useLayout((s) => s.legendOpen);
  return (
    <>
      <button type="button" className={`legend-toggle${open ? ' is-open' : ''}`} onClick={toggleLegend} title="What the colours, lines and badges mean (L)" data-testid="legend-toggle" aria-expanded={open}>
        Legend
      </button>
      {open ? (
        <aside className="canvas-legend" data-testid="legend" aria-label="Legend">
          <section>
            <h4>Systems</h4>
            {ROLES.map(([role, text]) => (
              <div key={role} className="legend-row" data-testid={`legend-role-${role}`}>
                <span className={`legend-swatch role-${role}`} /> {text}
              </div>
            ))}
            <h4>Volumes</h4>
            {VOLUMES.map(([kind, text]) => (
              <div key={kind} className="legend-row">
                <span className={`legend-volume kind-${kind}`} /> {text}
              </div>
            ))}
            <div className="legend-row">
              <span className="legend-port kind-target">TP</span>
              <span className="legend-port kind-initiator">IP</span>
              <span className="legend-port kind-switchable">SP</span> target, initiator, switchable port
            </div>
            <div className="legend-row">
              <span className="legend-fabric">
                <FabricGlyph />
              </span>{' '}
              port behind a switch (fabric): one cable per peer port
            </div>
          </section>
          <section>
            <h4>Lines</h4>
            {LINES.map(([cls, text]) => (
              <div key={cls} className="legend-row">
                <svg width="34" height="10" aria-hidden="true">
                  <path d="M1 5 H33" className={`react-flow__edge-path ${cls}`} />
                </svg>{' '}
                {text}
              </div>
            ))}
          </section>
          <section>
            <h4>Pair states (on the volumes while running)</h4>
            {STATES.map((s) => (
              <div key={s} className="legend-row" data-testid={`legend-state-${s}`}>
                <span className={`live-badge tone-${PAIR_TONE[s]}`}>
                  <span className="live-badge-state">{s}</span>
                </span>{' '}
                {PAIR_STATE_EQUIVALENTS[s].meaning}
              </div>
            ))}
          </section>
        </aside>
      ) : null}
    </>
  );
});
