// The left palette: one draggable item per element kind (HTML drag and drop onto the canvas), grouped, with the registry's tooltips.
import { memo } from 'react';
import type { DragEvent } from 'react';
import { ELEMENTS } from '../../app/model/elements';
import { PALETTE_MIME } from '../canvas/Canvas';
import type { PaletteKind } from '../store/create';
import { modelKindOf } from '../store/create';
import { Icon } from './icons';

const GROUPS: { title: string; items: { kind: PaletteKind; label: string; tip?: string }[] }[] = [
  {
    title: 'Places',
    items: [
      { kind: 'site', label: 'Site' },
      { kind: 'system', label: 'Storage system' },
      { kind: 'externalSystem', label: 'External storage', tip: 'A storage system whose volumes another system uses as its real volumes (storage system 40 in FIG. 1).' },
      { kind: 'host', label: 'Host' },
    ],
  },
  {
    title: 'Ports',
    items: [
      { kind: 'port-target', label: 'Target port', tip: 'Receives commands (TP). Exposes LUs.' },
      { kind: 'port-initiator', label: 'Initiator port', tip: 'Sends commands to a target (IP).' },
      { kind: 'port-switchable', label: 'Switchable port', tip: 'Target at one time, initiator at another, never both at once (FIG. 13).' },
    ],
  },
  {
    title: 'Volumes',
    items: [
      { kind: 'volume-real', label: 'Real volume' },
      { kind: 'volume-virtual', label: 'Virtual volume' },
      { kind: 'volume-virtualReal', label: 'Virtual real volume' },
      { kind: 'lu', label: 'LU' },
      { kind: 'cache', label: 'Cache memory' },
    ],
  },
];

function onDragStart(e: DragEvent, kind: PaletteKind) {
  e.dataTransfer.setData(PALETTE_MIME, kind);
  e.dataTransfer.setData('text/plain', kind);
  e.dataTransfer.effectAllowed = 'copy';
}

export const Palette = memo(function Palette() {
  return (
    <aside className="palette" data-testid="palette" aria-label="Element palette">
      {GROUPS.map((g) => (
        <section key={g.title} className="palette-group">
          <h3>{g.title}</h3>
          {g.items.map((item) => (
            <div
              key={item.kind}
              className="palette-item"
              draggable
              onDragStart={(e) => onDragStart(e, item.kind)}
              data-testid={`palette-${item.kind}`}
              title={item.tip ?? ELEMENTS[modelKindOf(item.kind)].tooltip}
            >
              <span className={`palette-icon icon-${item.kind}`}>
                <Icon name={item.kind} size={18} />
              </span>
              <span>{item.label}</span>
            </div>
          ))}
        </section>
      ))}
      <section className="palette-group palette-help">
        <h3>Connect</h3>
        <p>
          <span className="legend legend-cable" /> port to port: cable
        </p>
        <p>
          <span className="legend legend-map" /> bottom to top: mapping
        </p>
        <p>
          <span className="legend legend-pair" /> side to side: pair
        </p>
      </section>
    </aside>
  );
});
