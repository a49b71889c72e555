// The bottom panel: Problems (validateTopology, click to select and pan) and Tables (T1-T4 of the selected system, live as you edit).
import { memo, useEffect, useMemo, useState } from 'react';
import { Panel, usePanelRef } from 'react-resizable-panels';
import { formatPath } from '../../app/model/problem';
import { buildTables } from '../../app/tables';
import type { Topology } from '../../app/model/schema';
import { documentStore, useDoc } from '../store/document';
import { formatBytes, systemOf } from '../lib/topo';
import { Icon } from './icons';
import { SHOW_PROBLEMS_EVENT, useProblems } from './problems';
import { PlanningPanel } from '../planning/PlanningPanel';

const ProblemsTab = memo(function ProblemsTab() {
  const problems = useProblems();
  if (!problems.length)
    return (
      <div className="empty-state" data-testid="problems-empty">
        <Icon name="ok" /> No problems: the topology is consistent.
      </div>
    );
  return (
    <table className="grid problems">
      <tbody>
        {problems.map((p, i) => (
          <tr
            key={i}
            className={`problem-row ${p.severity}${p.elementId ? ' clickable' : ''}`}
            data-testid="problem-row"
            onClick={() => p.elementId && documentStore.getState().focusOn(p.elementId)}
            title={p.elementId ? 'Select and show on the canvas' : undefined}
          >
            <td className="sev">
              <Icon name={p.severity === 'error' ? 'error' : 'warning'} size={15} />
            </td>
            <td className="msg">{p.message}</td>
            <td className="el">{p.elementId ?? ''}</td>
            <td className="path">{formatPath(p.path)}</td>
            <td className="code">{p.code}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
});

function cell(v: unknown, key: string): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number' && /Bytes$/.test(key)) return formatBytes(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function Table({ name, title, rows }: { name: string; title: string; rows: readonly object[] }) {
  const keys = rows.length ? Object.keys(rows[0]!) : [];
  return (
    <section className="table-block" data-testid={`table-${name}`}>
      <h4>
        {name} <span className="muted">{title}</span>
      </h4>
      {rows.length ? (
        <table className="grid">
          <thead>
            <tr>
              {keys.map((k) => (
                <th key={k}>{k}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {keys.map((k) => (
                  <td key={k}>{cell((r as Record<string, unknown>)[k], k)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">no rows</p>
      )}
    </section>
  );
}

function tablesFor(t: Topology, systemId: string) {
  try {
    return { ok: true as const, tables: buildTables(t, systemId) };
  } catch (e) {
    return { ok: false as const, reason: (e as Error).message };
  }
}

const TablesTab = memo(function TablesTab() {
  const t = useDoc((s) => s.doc);
  const selected = useDoc((s) => s.selection[0]);
  const fromSelection = selected ? systemOf(t, selected) : undefined;
  const [picked, setPicked] = useState<string | null>(null);
  const systemId = fromSelection ?? (picked && t.systems.some((s) => s.id === picked) ? picked : t.systems[0]?.id);
  const result = useMemo(() => (systemId ? tablesFor(t, systemId) : null), [t, systemId]);
  if (!systemId) return <div className="empty-state">Add a storage system to see its mapping tables.</div>;
  return (
    <div className="tables" data-testid="tables-panel">
      <div className="tables-head">
        <label>
          System{' '}
          <select data-testid="tables-system" value={systemId} onChange={(e) => { setPicked(e.target.value); documentStore.getState().select([e.target.value]); }}>
            {t.systems.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name || s.id}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">FIG. 4 / FIG. 5 of the patent, derived live from the topology</span>
      </div>
      {result?.ok ? (
        <div className="tables-grid">
          <Table name="T1" title="V/R table" rows={result.tables.t1} />
          <Table name="T2" title="LU/V table" rows={result.tables.t2} />
          <Table name="T3" title="LU# → V#" rows={result.tables.t3} />
          <Table name="T4" title="address conversion" rows={result.tables.t4} />
        </div>
      ) : (
        <p className="field-error">{result?.reason}</p>
      )}
    </div>
  );
});

/** Folded, the panel keeps its tab row. */
const TABS_PX = 37;

/** A panel of the window under the live dock: resizable, folds to its tab row; Planning asks for more room when opened. */
export const BottomPanel = memo(function BottomPanel() {
  const panel = usePanelRef();
  return (
    <Panel id="panel-bottom" panelRef={panel} className="panel-bottom" defaultSize="14%" minSize={110} collapsible collapsedSize={TABS_PX}>
      <BottomTabs onTab={(tab) => {
        const p = panel.current;
        if (!p) return;
        if (p.isCollapsed()) p.expand();
        // Planning's figures, checks and charts need room: grow to a third of the window, never shrink what the user chose.
        if (tab === 'planning' && p.getSize().inPixels < window.innerHeight * 0.34) p.resize(`${Math.round(window.innerHeight * 0.34)}px`);
      }} />
    </Panel>
  );
});

const BottomTabs = memo(function BottomTabs({ onTab }: { onTab: (tab: 'problems' | 'tables' | 'planning') => void }) {
  const [tab, setTabState] = useState<'problems' | 'tables' | 'planning'>('problems');
  const setTab = (t: 'problems' | 'tables' | 'planning') => {
    setTabState(t);
    onTab(t);
  };
  // "Show in Problems" (a run refused for errors) opens the Problems tab.
  useEffect(() => {
    const show = () => setTab('problems');
    window.addEventListener(SHOW_PROBLEMS_EVENT, show);
    return () => window.removeEventListener(SHOW_PROBLEMS_EVENT, show);
    // setTab only closes over setters and the panel's callback.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const problems = useProblems();
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  return (
    <section className="bottom-panel">
      <nav className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'problems'} className={tab === 'problems' ? 'is-active' : ''} onClick={() => setTab('problems')} data-testid="tab-problems">
          Problems
          {errors ? <span className="count error">{errors}</span> : null}
          {warnings ? <span className="count warning">{warnings}</span> : null}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'tables'} className={tab === 'tables' ? 'is-active' : ''} onClick={() => setTab('tables')} data-testid="tab-tables">
          Tables
        </button>
        <button type="button" role="tab" aria-selected={tab === 'planning'} className={tab === 'planning' ? 'is-active' : ''} onClick={() => setTab('planning')} data-testid="tab-planning">
          Planning
        </button>
      </nav>
      <div className="tab-body" data-testid={tab === 'problems' ? 'problems-panel' : tab === 'tables' ? 'tables-tab' : 'planning-tab'}>
        {tab === 'problems' ? <ProblemsTab /> : tab === 'tables' ? <TablesTab /> : <PlanningPanel />}
      </div>
    </section>
  );
});
