// The right inspector: the selected element's fields, checked as you type against the element's zod schema; valid edits commit as one named action.
import { memo, useEffect, useState } from 'react';
import { formatCuLdev, ldevIds, parseLdev, serialNumbers } from '../../app/interop/identifiers';
import type { ReactNode } from 'react';
import { indexTopology } from '../../app/model/index-topology';
import { ELEMENTS, kindOfId } from '../../app/model/elements';
import type { RealVolume, Topology, Workload } from '../../app/model/schema';
import { documentStore, useDoc } from '../store/document';
import { ActionRefused, pairModePatch, setDocument, setProperty, unmapRange } from '../store/actions';
import { formatBytes, sizeOf } from '../lib/topo';
import { Icon } from './icons';
import { useProblems } from './problems';

type Patch = Record<string, unknown>;

/** Dry-runs a patch; returns the refusal reason or null. */
function check(id: string, patch: Patch): string | null {
  try {
    setProperty(documentStore.getState().doc, { id, patch });
    return null;
  } catch (e) {
    // Under a single field, the field's own name in front of the message is noise.
    if (e instanceof ActionRefused) return Object.keys(patch).length === 1 ? e.reason.replace(new RegExp(`^${Object.keys(patch)[0]}: `), '') : e.reason;
    throw e;
  }
}

/** What "behind a switch (fabric)" means, for the port's tooltip. */
const FABRIC_TIP =
  'The port is cabled to an FC switch (a fabric), not straight to one other port. It may then carry several cables: each cable ' +
  'is one fabric path to a different peer port, with its own distance and bandwidth (the patent\'s IP22 reaches the remote ' +
  'TP31 over CN4 and the external TP41 over CN5). The engine picks the cable by the peer it talks to. Not with a switchable port.';

function fabricCables(t: Topology, portId: string): number {
  return t.cables.filter((c) => c.aPortId === portId || c.bPortId === portId).length;
}

function commit(id: string, patch: Patch): void {
  documentStore.getState().edit('Edit property', (t) => setProperty(t, { id, patch }));
}

interface FieldProps {
  /** Element id the field edits. */
  id: string;
  name: string;
  label: string;
  hint?: string;
  /** A tooltip that teaches what the field means (on the whole field). */
  tip?: string;
}

function FieldShell({ name, label, hint, tip, error, children }: { name: string; label: string; hint?: string; tip?: string; error: string | null; children: ReactNode }) {
  return (
    <label className={`field${error ? ' has-error' : ''}`} title={tip}>
      <span className="field-label">{label}</span>
      {children}
      {error ? (
        <span className="field-error" data-testid={`field-${name}-error`} role="alert">
          {error}
        </span>
      ) : hint ? (
        <span className="field-hint">{hint}</span>
      ) : null}
    </label>
  );
}

/** Text or number input: checked on every keystroke, committed on blur or Enter when valid. */
function InputField({ id, name, label, hint, value, toPatch, numeric, placeholder }: FieldProps & { value: string; toPatch: (raw: string) => Patch | string; numeric?: boolean; placeholder?: string }) {
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(value);
    setError(null);
  }, [value, id]);
  const evaluate = (raw: string): Patch | null => {
    const p = toPatch(raw);
    if (typeof p === 'string') {
      setError(p);
      return null;
    }
    const reason = check(id, p);
    setError(reason);
    return reason ? null : p;
  };
  const done = () => {
    if (draft === value) return;
    const p = evaluate(draft);
    if (p) commit(id, p);
  };
  return (
    <FieldShell name={name} label={label} hint={hint} error={error}>
      <input
        className="field-input"
        data-testid={`field-${name}`}
        value={draft}
        inputMode={numeric ? 'decimal' : undefined}
        placeholder={placeholder}
        aria-invalid={!!error}
        onChange={(e) => {
          setDraft(e.target.value);
          evaluate(e.target.value);
        }}
        onBlur={done}
        onKeyDown={(e) => {
          if (e.key === 'Enter') done();
          if (e.key === 'Escape') {
            setDraft(value);
            setError(null);
          }
        }}
      />
    </FieldShell>
  );
}

function SelectField({ id, name, label, hint, value, options, toPatch }: FieldProps & { value: string; options: { value: string; label: string }[]; toPatch: (v: string) => Patch }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [value, id]);
  return (
    <FieldShell name={name} label={label} hint={hint} error={error}>
      <select
        className="field-input"
        data-testid={`field-${name}`}
        value={value}
        onChange={(e) => {
          const p = toPatch(e.target.value);
          const reason = check(id, p);
          setError(reason);
          if (!reason) commit(id, p);
        }}
      >
        {options.some((o) => o.value === value) ? null : <option value={value}>{value || '—'}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

function CheckField({ id, name, label, hint, tip, value, toPatch }: FieldProps & { value: boolean; toPatch: (v: boolean) => Patch }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <FieldShell name={name} label={label} hint={hint} tip={tip} error={error}>
      <input
        type="checkbox"
        className="field-check"
        data-testid={`field-${name}`}
        checked={value}
        onChange={(e) => {
          const p = toPatch(e.target.checked);
          const reason = check(id, p);
          setError(reason);
          if (!reason) commit(id, p);
        }}
      />
    </FieldShell>
  );
}

const UNITS = [
  { label: 'KiB', bytes: 1024 },
  { label: 'MiB', bytes: 1024 ** 2 },
  { label: 'GiB', bytes: 1024 ** 3 },
  { label: 'TiB', bytes: 1024 ** 4 },
] as const;

function bestUnit(bytes: number): (typeof UNITS)[number] {
  for (const u of [...UNITS].reverse()) if (bytes >= u.bytes && bytes % u.bytes === 0) return u;
  for (const u of [...UNITS].reverse()) if (bytes >= u.bytes) return u;
  return UNITS[0];
}

/** A size in bytes edited as a number with a unit (KiB .. TiB). */
function BytesField({ id, name, label, hint, value, toPatch }: FieldProps & { value: number; toPatch: (bytes: number) => Patch }) {
  const [unit, setUnit] = useState(() => bestUnit(value));
  useEffect(() => setUnit(bestUnit(value)), [value, id]);
  const shown = String(Math.round((value / unit.bytes) * 1000) / 1000);
  return (
    <div className="bytes-field">
      <InputField
        id={id}
        name={name}
        label={`${label} (${unit.label})`}
        hint={hint ?? `${value.toLocaleString('en')} bytes`}
        value={shown}
        numeric
        toPatch={(raw) => {
          const n = Number(raw.trim());
          if (raw.trim() === '' || !Number.isFinite(n)) return 'enter a number';
          return toPatch(Math.round(n * unit.bytes));
        }}
      />
      <select className="unit-select" aria-label={`${label} unit`} data-testid={`field-${name}-unit`} value={unit.label} onChange={(e) => setUnit(UNITS.find((u) => u.label === e.target.value) ?? UNITS[2])}>
        {UNITS.map((u) => (
          <option key={u.label}>{u.label}</option>
        ))}
      </select>
    </div>
  );
}

const num = (key: string) => (raw: string): Patch | string => {
  if (raw.trim() === '') return 'enter a number';
  const n = Number(raw.trim());
  return Number.isFinite(n) ? { [key]: n } : 'enter a number';
};
const text = (key: string) => (raw: string): Patch => ({ [key]: raw });
const serialPatch = (raw: string): Patch | string => {
  const s = raw.trim();
  if (!s) return { serialNumber: undefined };
  return /^\d{1,6}$/.test(s) && Number(s) >= 1 ? { serialNumber: Number(s) } : 'a serial number from 1 to 999999 (empty: derived)';
};
const ldevPatch = (raw: string): Patch | string => {
  const s = raw.trim();
  if (!s) return { ldevId: undefined };
  const n = parseLdev(s);
  return n === undefined ? 'an LDEV as CU:LDEV (01:20), 0x120 or decimal, up to FF:FF (empty: derived)' : { ldevId: n };
};

/** The array's LDEV number of a volume, for the CCI export: its own, or the derived one shown as the placeholder. */
function LdevField({ id, t, ldevId }: { id: string; t: Topology; ldevId: number | undefined }) {
  const derived = ldevIds(t).get(id);
  return (
    <InputField
      id={id}
      name="ldevId"
      label="LDEV (CU:LDEV)"
      value={ldevId === undefined ? '' : formatCuLdev(ldevId)}
      placeholder={derived === undefined ? '' : `${formatCuLdev(derived)} (derived)`}
      toPatch={ldevPatch}
      hint={ldevId === undefined && derived !== undefined ? `derived: ${formatCuLdev(derived)}; used by the Hitachi CCI export` : 'used by the Hitachi CCI export'}
    />
  );
}

/** The data a real volume holds when the run starts (volume initialFill): a share of its tracks, spread or at the front. */
function InitialFillFields({ id, fill }: { id: string; fill: RealVolume['initialFill'] }) {
  const percent = fill ? String(Math.round(fill.fraction * 1000) / 10) : '0';
  return (
    <>
      <InputField
        id={id}
        name="initialFillPercent"
        label="Data at the start (% of tracks)"
        value={percent}
        numeric
        hint={fill && fill.fraction > 0 ? `the initial copy sends these tracks; same bytes every run (seed ${fill.seed ?? id})` : 'empty: an initial copy has nothing to send'}
        toPatch={(raw) => {
          const n = Number(raw.trim() || '0');
          if (!Number.isFinite(n) || n < 0 || n > 100) return 'enter 0-100';
          return { initialFill: n === 0 ? undefined : { fraction: n / 100, pattern: fill?.pattern ?? 'scattered', ...(fill?.seed ? { seed: fill.seed } : {}) } };
        }}
      />
      {fill && fill.fraction > 0 ? (
        <SelectField
          id={id}
          name="initialFillPattern"
          label="Where the data lies"
          value={fill.pattern}
          options={[
            { value: 'scattered', label: 'scattered over the volume' },
            { value: 'front', label: 'the first tracks' },
          ]}
          toPatch={(val) => ({ initialFill: { ...fill, pattern: val as 'scattered' | 'front' } })}
        />
      ) : null}
    </>
  );
}

function Common({ id, name }: { id: string; name: string }) {
  return (
    <>
      <InputField id={id} name="name" label="Name" value={name} toPatch={text('name')} />
      <InputField id={id} name="id" label="Id" value={id} toPatch={(raw) => ({ id: raw.trim() })} hint="references follow a renamed id" />
    </>
  );
}

/** The workload back on its synthetic pattern (the trace dropped). */
function withoutTrace(w: Workload): Workload {
  const { trace: _dropped, ...rest } = w;
  return rest;
}

function options(ids: { id: string; name: string }[]): { value: string; label: string }[] {
  return ids.map((e) => ({ value: e.id, label: e.name && e.name !== e.id ? `${e.name} (${e.id})` : e.id }));
}

function ElementForm({ t, id }: { t: Topology; id: string }) {
  const ix = indexTopology(t);
  const kind = kindOfId(t, id);
  if (!kind) return <p className="muted">No element {id}.</p>;
  switch (kind) {
    case 'site': {
      const s = ix.sites.get(id)!;
      return (
        <>
          <Common id={id} name={s.name} />
          <InputField id={id} name="description" label="Description" value={s.description ?? ''} toPatch={(raw) => ({ description: raw || undefined })} />
        </>
      );
    }
    case 'system': {
      const s = ix.systems.get(id)!;
      return (
        <>
          <Common id={id} name={s.name} />
          <InputField id={id} name="role" label="Role" value={s.role} toPatch={text('role')} hint="local, relay, remote, external: a use, not a type" />
          <InputField
            id={id}
            name="serialNumber"
            label="Serial number"
            value={s.serialNumber === undefined ? '' : String(s.serialNumber)}
            numeric
            placeholder={`${serialNumbers(t).get(id) ?? ''} (derived)`}
            toPatch={serialPatch}
            hint={s.serialNumber === undefined ? `derived: ${serialNumbers(t).get(id) ?? ''}; the array's Serial# in the CCI export` : "the array's Serial# in the CCI export"}
          />
          <SelectField id={id} name="siteId" label="Site" value={s.siteId} options={options(t.sites)} toPatch={(v) => ({ siteId: v })} />
          <BytesField id={id} name="trackBytes" label="Track size" value={s.trackBytes} toPatch={(b) => ({ trackBytes: b })} />
          <InputField id={id} name="chaProcessingUs" label="CHA processing (µs per command)" value={String(s.chaProcessingUs)} numeric toPatch={num('chaProcessingUs')} />
          <InputField
            id={id}
            name="destageUsPerTrack"
            label="Destage (µs per track)"
            value={String(s.destageUsPerTrack)}
            numeric
            toPatch={num('destageUsPerTrack')}
            hint="4 disk adapters per cache; a write to a track already waiting for its destage goes with it (write hit)"
          />
        </>
      );
    }
    case 'host': {
      const h = ix.hosts.get(id)!;
      const lus = options(t.lus);
      return (
        <>
          <Common id={id} name={h.name} />
          <h4 className="form-section">Workloads</h4>
          {h.workloads.map((w, i) => {
            const patchW = (p: Patch): Patch => ({ workloads: h.workloads.map((x, j) => (j === i ? { ...x, ...p } : x)) });
            return (
              <div className="sub-form" key={w.id}>
                <SelectField id={id} name={`workload-${i}-lu`} label="LU" value={w.luId} options={lus} toPatch={(v) => patchW({ luId: v })} />
                <InputField id={id} name={i === 0 ? 'iops' : `workload-${i}-iops`} label="IOPS (reads + writes)" value={String(w.iops)} numeric toPatch={(raw) => (Number.isFinite(Number(raw)) && raw.trim() ? patchW({ iops: Number(raw) }) : 'enter a number')} />
                <BytesField id={id} name={i === 0 ? 'blockBytes' : `workload-${i}-block`} label="Block" value={w.blockBytes} toPatch={(b) => patchW({ blockBytes: b })} />
                <InputField id={id} name={`workload-${i}-read`} label="Read share (0–1)" value={String(w.readRatio)} numeric toPatch={(raw) => (raw.trim() && Number.isFinite(Number(raw)) ? patchW({ readRatio: Number(raw) }) : 'enter a number')} />
                <SelectField id={id} name={`workload-${i}-pattern`} label="Pattern" value={w.pattern} options={['random', 'sequential', 'hotspot'].map((v) => ({ value: v, label: v }))} toPatch={(v) => patchW({ pattern: v })} />
                {w.trace && (
                  // A recorded trace replaces the synthetic fields above while the run replays it.
                  <p className="muted" data-testid={`workload-${i}-trace`}>
                    Replays a recorded trace of {w.trace.records.length.toLocaleString('en-US')} I/Os ({w.trace.records.filter((r) => r.op === 'read').length.toLocaleString('en-US')} reads)
                    {w.trace.loop ? ', looping' : ''}; IOPS, block, read share and pattern do not apply.{' '}
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => commit(id, { workloads: h.workloads.map((x, j) => (j === i ? withoutTrace(x) : x)) })}
                    >
                      Remove trace
                    </button>
                  </p>
                )}
                <button type="button" className="link-button" onClick={() => commit(id, { workloads: h.workloads.filter((_, j) => j !== i) })}>
                  Remove workload
                </button>
              </div>
            );
          })}
          <button
            type="button"
            className="small-button"
            data-testid="add-workload"
            disabled={!t.lus.length}
            title={t.lus.length ? 'A workload writes to an LU' : 'Add an LU first'}
            onClick={() => {
              const used = new Set(ix.byId.keys());
              let n = 1;
              while (used.has(`W${n}`) || h.workloads.some((w) => w.id === `W${n}`)) n++;
              commit(id, { workloads: [...h.workloads, { id: `W${n}`, luId: t.lus[0]!.id, iops: 1000, blockBytes: 4096, readRatio: 0, pattern: 'random', hotspotFraction: 0.2, startMs: 0 }] });
            }}
          >
            Add workload
          </button>
        </>
      );
    }
    case 'port': {
      const p = ix.ports.get(id)!;
      return (
        <>
          <Common id={id} name={p.name} />
          <SelectField id={id} name="kind" label="Kind" value={p.kind} options={[{ value: 'target', label: 'target (TP)' }, { value: 'initiator', label: 'initiator (IP)' }, { value: 'switchable', label: 'switchable' }]} toPatch={(v) => ({ kind: v })} />
          <InputField id={id} name="wwn" label="WWN" value={p.wwn} toPatch={(raw) => ({ wwn: raw.trim() })} placeholder="50:06:0e:80:00:00:00:01" />
          <CheckField
            id={id}
            name="fabric"
            label="Behind a switch (fabric)"
            value={p.fabric ?? false}
            toPatch={(on) => ({ fabric: on ? true : undefined })}
            hint={p.fabric ? `${fabricCables(t, id)} cable(s): one per peer port` : undefined}
            tip={FABRIC_TIP}
          />
        </>
      );
    }
    case 'cable': {
      const c = ix.cables.get(id)!;
      return (
        <>
          <Common id={id} name={c.name} />
          <SelectField id={id} name="kind" label="Kind" value={c.kind} options={[{ value: 'fc', label: 'FC SAN' }, { value: 'ip', label: 'IP (iSCSI / FCIP)' }, { value: 'internet', label: 'Internet' }, { value: 'internal-loop', label: 'Internal loop (CN3)' }]} toPatch={(v) => ({ kind: v })} />
          <InputField id={id} name="distanceKm" label="Distance (km)" value={String(c.distanceKm)} numeric toPatch={num('distanceKm')} hint={`≈ ${(c.distanceKm / 100).toFixed(2)} ms round trip`} />
          <InputField id={id} name="bandwidthMbps" label="Bandwidth (Mbit/s)" value={String(c.bandwidthMbps)} numeric toPatch={num('bandwidthMbps')} />
          <SelectField id={id} name="roundTripsPerWrite" label="Round trips per write" value={String(c.roundTripsPerWrite)} options={[{ value: '2', label: '2 (plain SCSI over FC)' }, { value: '1', label: '1 (fast write)' }]} toPatch={(v) => ({ roundTripsPerWrite: Number(v) })} />
          <InputField id={id} name="switchGroup" label="Changeover switch group" value={c.switchGroup ?? ''} toPatch={(raw) => ({ switchGroup: raw.trim() || undefined })} hint="FIG. 13: cables in one group connect one at a time" />
        </>
      );
    }
    case 'realVolume': {
      const v = ix.volumes.get(id)!;
      if (v.kind !== 'real') return null;
      const initiators = t.ports.filter((p) => p.ownerId === v.systemId && p.kind !== 'target');
      return (
        <>
          <Common id={id} name={v.name} />
          <LdevField id={id} t={t} ldevId={v.ldevId} />
          <BytesField id={id} name="sizeBytes" label="Size" value={v.sizeBytes} toPatch={(b) => ({ sizeBytes: b })} />
          <SelectField
            id={id}
            name="backing"
            label="Physical entity"
            value={v.backing.type}
            options={[{ value: 'internal', label: 'internal (RAID group)' }, { value: 'external', label: 'external (LU of another system)' }]}
            toPatch={(val) => (val === 'internal' ? { backing: { type: 'internal' } } : { backing: { type: 'external', initiatorPortId: initiators[0]?.id ?? '', luId: t.lus.find((l) => !t.ports.some((p) => p.id === l.portId && p.ownerId === v.systemId))?.id ?? '' } })}
          />
          {v.backing.type === 'external' ? (
            <>
              <SelectField id={id} name="initiatorPortId" label="Through initiator port" value={v.backing.initiatorPortId} options={options(initiators)} toPatch={(val) => ({ backing: { ...v.backing, initiatorPortId: val } })} />
              <SelectField id={id} name="luId" label="External LU" value={v.backing.luId} options={options(t.lus)} toPatch={(val) => ({ backing: { ...v.backing, luId: val } })} />
            </>
          ) : (
            <InitialFillFields id={id} fill={v.initialFill} />
          )}
        </>
      );
    }
    case 'virtualVolume': {
      const v = ix.volumes.get(id)!;
      if (v.kind !== 'virtual') return null;
      const lowers = options([...t.volumes.filter((x) => x.id !== id), ...t.lus]);
      return (
        <>
          <Common id={id} name={v.name} />
          <LdevField id={id} t={t} ldevId={v.ldevId} />
          <p className="muted">Size {formatBytes(sizeOf(t, id))}: its ranges laid end to end.</p>
          <h4 className="form-section">Mapped ranges</h4>
          {v.ranges.map((r, i) => {
            const patchR = (p: Patch): Patch => ({ ranges: v.ranges.map((x, j) => (j === i ? { ...x, ...p } : x)) });
            return (
              <div className="sub-form" key={i}>
                <SelectField id={id} name={i === 0 ? 'lowerId' : `range-${i}-lower`} label={`Range ${i + 1} on`} value={r.lowerId} options={lowers} toPatch={(val) => patchR({ lowerId: val })} />
                <BytesField id={id} name={i === 0 ? 'startBytes' : `range-${i}-start`} label="Start" value={r.startBytes} toPatch={(b) => patchR({ startBytes: b })} />
                <BytesField id={id} name={i === 0 ? 'lengthBytes' : `range-${i}-length`} label="Length" value={r.lengthBytes} toPatch={(b) => patchR({ lengthBytes: b })} />
                <CheckField id={id} name={i === 0 ? 'shared' : `range-${i}-shared`} label="Shared with another virtual volume" value={r.shared} toPatch={(b) => patchR({ shared: b })} />
                {v.ranges.length > 1 ? (
                  <button type="button" className="link-button" onClick={() => documentStore.getState().edit('Remove range', (d) => unmapRange(d, { volumeId: id, index: i }))}>
                    Remove range
                  </button>
                ) : null}
              </div>
            );
          })}
          <p className="muted">Drag from this volume's bottom handle onto a lower volume or LU to add a range.</p>
        </>
      );
    }
    case 'virtualRealVolume': {
      const v = ix.volumes.get(id)!;
      if (v.kind !== 'virtualReal') return null;
      const initiators = t.ports.filter((p) => p.ownerId === v.systemId && p.kind !== 'target');
      return (
        <>
          <Common id={id} name={v.name} />
          <LdevField id={id} t={t} ldevId={v.ldevId} />
          <SelectField id={id} name="aliasOfId" label="Alias of" value={v.aliasOfId} options={options(t.volumes.filter((x) => x.kind === 'virtual'))} toPatch={(val) => ({ aliasOfId: val })} />
          <SelectField
            id={id}
            name="path"
            label="Reached by"
            value={v.path ? 'loop' : 'copy'}
            options={[{ value: 'copy', label: 'intercache copy (FIG. 7)' }, { value: 'loop', label: 'loop cable through a port (FIG. 1)' }]}
            toPatch={(val) => (val === 'copy' ? { path: undefined } : { path: { initiatorPortId: initiators[0]?.id ?? '', luId: t.lus[0]?.id ?? '' } })}
          />
          {v.path ? (
            <>
              <SelectField id={id} name="pathInitiator" label="Initiator port" value={v.path.initiatorPortId} options={options(initiators)} toPatch={(val) => ({ path: { ...v.path!, initiatorPortId: val } })} />
              <SelectField id={id} name="pathLu" label="LU" value={v.path.luId} options={options(t.lus)} toPatch={(val) => ({ path: { ...v.path!, luId: val } })} />
            </>
          ) : null}
        </>
      );
    }
    case 'lu': {
      const l = ix.lus.get(id)!;
      const targets = t.ports.filter((p) => p.kind !== 'initiator' && t.systems.some((s) => s.id === p.ownerId));
      return (
        <>
          <Common id={id} name={l.name} />
          <SelectField id={id} name="portId" label="Exposed on port" value={l.portId} options={options(targets)} toPatch={(v) => ({ portId: v })} />
          <InputField id={id} name="lun" label="LUN" value={String(l.lun)} numeric toPatch={(raw) => (/^\d+$/.test(raw.trim()) ? { lun: Number(raw) } : 'a LUN is a whole number 0–16383')} />
          <SelectField id={id} name="volumeId" label="Volume" value={l.volumeId} options={options(t.volumes)} toPatch={(v) => ({ volumeId: v })} />
          <BytesField id={id} name="startBytes" label="Start in volume" value={l.startBytes} toPatch={(b) => ({ startBytes: b })} />
          <BytesField id={id} name="sizeBytes" label="Size" value={l.sizeBytes} toPatch={(b) => ({ sizeBytes: b })} />
          <CheckField id={id} name="shared" label="Shares bytes with another LU" value={l.shared} toPatch={(b) => ({ shared: b })} />
        </>
      );
    }
    case 'cache': {
      const c = ix.caches.get(id)!;
      const vols = t.volumes.filter((v) => v.systemId === c.systemId);
      return (
        <>
          <Common id={id} name={c.name} />
          <BytesField id={id} name="sizeBytes" label="Size" value={c.sizeBytes} toPatch={(b) => ({ sizeBytes: b })} />
          <h4 className="form-section">Holds data of</h4>
          {vols.map((v) => (
            <CheckField
              key={v.id}
              id={id}
              name={`volume-${v.id}`}
              label={v.name || v.id}
              value={c.volumeIds.includes(v.id)}
              toPatch={(on) => ({ volumeIds: on ? [...c.volumeIds, v.id] : c.volumeIds.filter((x) => x !== v.id) })}
            />
          ))}
        </>
      );
    }
    case 'pair': {
      const p = ix.pairs.get(id)!;
      return (
        <>
          <Common id={id} name={p.name} />
          <p className="muted">
            {ix.volumes.get(p.primaryVolumeId)?.name ?? p.primaryVolumeId} → {ix.volumes.get(p.secondaryVolumeId)?.name ?? p.secondaryVolumeId}
          </p>
          <SelectField
            id={id}
            name="mode"
            label="Mode"
            value={p.mode}
            options={[{ value: 'sync', label: 'synchronous' }, { value: 'async', label: 'asynchronous' }]}
            toPatch={(v) => pairModePatch(t, id, v === 'async' ? 'async' : 'sync')}
          />
          {p.mode === 'sync' ? (
            <SelectField id={id} name="fence" label="Fence level" value={p.fence} options={[{ value: 'data', label: 'data (write fails if the secondary cannot be updated)' }, { value: 'status', label: 'status' }, { value: 'never', label: 'never (keep writing, pair suspends)' }]} toPatch={(v) => ({ fence: v })} />
          ) : (
            <>
              <BytesField id={id} name="journalBytes" label="Journal" value={p.journalBytes ?? 0} toPatch={(b) => ({ journalBytes: b })} hint="> (host write rate − link rate) × outage" />
              <InputField id={id} name="consistencyGroup" label="Consistency group" value={p.consistencyGroup ?? ''} toPatch={(raw) => ({ consistencyGroup: raw.trim() || undefined })} />
            </>
          )}
          <InputField id={id} name="copyPace" label="Copy pace (tracks, 1–15)" value={String(p.copyPace)} numeric toPatch={num('copyPace')} />
          <CheckField id={id} name="autoResync" label="Resync by itself after repair" value={p.autoResync} toPatch={(b) => ({ autoResync: b })} />
          <SelectField id={id} name="initially" label="At the start of a run" value={p.initially} options={[{ value: 'create', label: 'create (initial copy)' }, { value: 'paired', label: 'already paired' }, { value: 'simplex', label: 'not formed' }]} toPatch={(v) => ({ initially: v })} />
        </>
      );
    }
  }
}

function DocumentForm({ t }: { t: Topology }) {
  const [error, setError] = useState<string | null>(null);
  const apply = (patch: Parameters<typeof setDocument>[1]['patch']) => {
    try {
      setDocument(documentStore.getState().doc, { patch });
      setError(null);
      documentStore.getState().edit('Edit document', (d) => setDocument(d, { patch }));
    } catch (e) {
      if (e instanceof ActionRefused) setError(e.reason);
      else throw e;
    }
  };
  return (
    <>
      <label className="field">
        <span className="field-label">Topology name</span>
        <input className="field-input" data-testid="field-docName" defaultValue={t.name} key={t.name} onBlur={(e) => e.target.value !== t.name && apply({ name: e.target.value })} />
      </label>
      <label className="field">
        <span className="field-label">Sync latency bound (ms)</span>
        <input
          className="field-input"
          data-testid="field-syncLatencyBoundMs"
          defaultValue={String(t.syncLatencyBoundMs)}
          key={`lb${t.syncLatencyBoundMs}`}
          onBlur={(e) => Number(e.target.value) !== t.syncLatencyBoundMs && apply({ syncLatencyBoundMs: Number(e.target.value) })}
        />
        {error ? <span className="field-error">{error}</span> : <span className="field-hint">sync hops slower than this are flagged</span>}
      </label>
      <p className="muted description">{t.description}</p>
      <p className="muted">
        {t.sites.length} sites · {t.systems.length} systems · {t.volumes.length} volumes · {t.pairs.length} pairs
      </p>
      <p className="muted">Select an element to edit it. Drag items from the palette onto a site or system.</p>
    </>
  );
}

export const Inspector = memo(function Inspector() {
  const t = useDoc((s) => s.doc);
  const selection = useDoc((s) => s.selection);
  const problems = useProblems();
  // A mapping line stands for its upper element.
  const ids = selection.map((id) => (id.startsWith('map:') ? id.split(':')[1]! : id));
  const id = ids.length === 1 ? ids[0]! : null;
  const kind = id ? kindOfId(t, id) : undefined;
  const mine = id ? problems.filter((p) => p.elementId === id) : [];
  return (
    <aside className="inspector" data-testid="inspector" aria-label="Inspector">
      <div className="panel-title">
        {kind ? (
          <>
            <span className="kind-label">{ELEMENTS[kind].label}</span>
            <span className="muted id-label">{id}</span>
          </>
        ) : ids.length > 1 ? (
          <span className="kind-label">{ids.length} selected</span>
        ) : (
          <span className="kind-label">Topology</span>
        )}
      </div>
      <div className="inspector-body" key={id ?? 'doc'}>
        {kind ? <p className="kind-tip">{ELEMENTS[kind].tooltip}</p> : null}
        {mine.map((p, i) => (
          <div key={i} className={`inline-problem ${p.severity}`}>
            <Icon name={p.severity === 'error' ? 'error' : 'warning'} size={14} />
            <span>{p.message}</span>
          </div>
        ))}
        {id && kind ? <ElementForm t={t} id={id} /> : ids.length > 1 ? <p className="muted">Delete, copy or duplicate them together.</p> : <DocumentForm t={t} />}
      </div>
    </aside>
  );
});
