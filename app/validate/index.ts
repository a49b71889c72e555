// Validation of a topology document: schema first, then the domain rules; every finding names its element and JSON path.
import { parseTopologyValue } from '../model/file';
import type { JsonPath, Problem } from '../model/problem';
import { initialFillBytes, MAX_INITIAL_FILL_BYTES, type ElementList, type Topology } from '../model/schema';
import { ELEMENT_LISTS } from '../model/schema';
import { indexTopology, sizeBytesOf } from '../model/index-topology';
import { canConnect, canNestIn, overCabledReason } from '../model/rules';
import { hostCablesToLu, oneWayDelayUs, pairRoute, PROTOCOL_OVERHEAD, serialisationUs, syncHopWriteUs } from '../model/paths';
import { MAX_TRANSLATE_HOPS, TranslateError, translate } from '../tables/translate';
import { bytes } from '../units';
import { cacheDirtyLimit, tracksSpanned } from '../model/cache-slots';

/** Every rule's code, so the UI and docs can list them. */
export const VALIDATION_CODES = [
  'duplicate-id',
  'dangling-reference',
  'wrong-reference-kind',
  'bad-nesting',
  'range-outside-lower',
  'overlapping-ranges',
  'overlapping-lus',
  'mapping-cycle',
  'bad-cable',
  'port-over-cabled',
  'fabric-duplicate-path',
  'fabric-switchable',
  'switch-group-missing',
  'pair-no-route',
  'pair-bad-path',
  'pair-same-volume',
  'pair-size-mismatch',
  'sync-latency',
  'async-no-journal',
  'duplicate-wwn',
  'duplicate-lun',
  'cache-other-system',
  'workload-unreachable',
  'trace-out-of-range',
  'alias-not-virtual',
  'alias-path-mismatch',
  'backing-unreachable',
  'layout-unknown-element',
  'exercise-unknown-pair',
  'scenario-unknown-element',
  'exercise-unknown-element',
  'exercise-unknown-volume',
  'exercise-unknown-host',
  'exercise-rpo-sync',
  'fill-external',
  'fill-too-large',
  'write-exceeds-cache',
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

/** Hops the whole-stack translation check may walk over all volumes together. */
const TRANSLATE_CHECK_BUDGET = 1_000_000;

/** Bytes of the write the sync latency estimate assumes. */
const SYNC_ESTIMATE_BYTES = 4096;

type ListName = (typeof ELEMENT_LISTS)[number];

/** Runs every domain rule on a schema-valid topology. Errors come before warnings, each in document order. */
export function validateTopology(t: Topology): Problem[] {
  const ix = indexTopology(t);
  const problems: Problem[] = [];
  const add = (severity: Problem['severity'], code: ValidationCode, message: string, path: JsonPath, elementId?: string) =>
    problems.push(elementId === undefined ? { severity, code, message, path } : { severity, code, message, path, elementId });
  const error = (code: ValidationCode, message: string, path: JsonPath, elementId?: string) => add('error', code, message, path, elementId);
  const warn = (code: ValidationCode, message: string, path: JsonPath, elementId?: string) => add('warning', code, message, path, elementId);

  // Duplicate ids, across every list (and workloads inside hosts).
  const firstSeen = new Map<string, JsonPath>();
  const claim = (id: string, path: JsonPath) => {
    const prior = firstSeen.get(id);
    if (prior) error('duplicate-id', `the id "${id}" is already used at ${prior.join('.')}; ids must be unique in the document`, [...path, 'id'], id);
    else firstSeen.set(id, path);
  };
  for (const list of ELEMENT_LISTS) (t[list] as readonly { id: string }[]).forEach((el, i) => claim(el.id, [list, i]));
  t.hosts.forEach((h, i) => h.workloads.forEach((w, j) => claim(w.id, ['hosts', i, 'workloads', j])));

  // Dangling references: each id field must name an element of the right list.
  const ref = (id: string, allowed: ListName[], path: JsonPath, ownerId: string | undefined, what: string) => {
    const loc = ix.byId.get(id);
    if (!loc) {
      error('dangling-reference', `${what} "${id}" does not exist`, path, ownerId);
      return false;
    }
    if (!allowed.includes(loc.list)) {
      error('wrong-reference-kind', `${what} "${id}" is in ${loc.list}; it must be one of ${allowed.join(', ')}`, path, ownerId);
      return false;
    }
    return true;
  };
  t.siteDistances.forEach((d, i) => {
    // A distance entry has no id of its own; the path locates it.
    ref(d.siteAId, ['sites'], ['siteDistances', i, 'siteAId'], undefined, 'site');
    ref(d.siteBId, ['sites'], ['siteDistances', i, 'siteBId'], undefined, 'site');
  });
  t.systems.forEach((s, i) => ref(s.siteId, ['sites'], ['systems', i, 'siteId'], s.id, 'site'));
  t.hosts.forEach((h, i) => {
    ref(h.siteId, ['sites'], ['hosts', i, 'siteId'], h.id, 'site');
    h.workloads.forEach((w, j) => {
      const path = ['hosts', i, 'workloads', j, 'luId'];
      if (!ref(w.luId, ['lus'], path, h.id, 'workload LU')) return;
      const traceLu = ix.lus.get(w.luId);
      if (w.trace && traceLu) {
        // One finding per workload (the first record out of range) keeps a bad 100,000-record trace readable.
        const k = w.trace.records.findIndex((r) => r.offsetBytes + r.lengthBytes > traceLu.sizeBytes);
        const r = w.trace.records[k];
        if (r) {
          const more = w.trace.records.filter((x) => x.offsetBytes + x.lengthBytes > traceLu.sizeBytes).length - 1;
          error(
            'trace-out-of-range',
            `trace record ${k} of workload ${w.id} ${r.op}s ${r.offsetBytes}+${r.lengthBytes} bytes, past the end of ${traceLu.name || traceLu.id} (${traceLu.sizeBytes} bytes)${more > 0 ? `; ${more} more record(s) too` : ''}`,
            ['hosts', i, 'workloads', j, 'trace', 'records', k, 'offsetBytes'],
            w.id,
          );
        }
      }
      const writeLu = ix.lus.get(w.luId);
      const cache = writeLu && t.caches.find((c) => c.volumeIds.includes(writeLu.volumeId));
      const cacheSystem = cache && t.systems.find((s) => s.id === cache.systemId);
      const largest = w.trace ? w.trace.records.reduce((m, r) => (r.op === 'write' && r.lengthBytes > m ? r.lengthBytes : m), 0) : w.readRatio < 1 ? w.blockBytes : 0;
      if (cache && cacheSystem && largest > 0) {
        // The engine stores a write in its cache all at once (taking slots one by one, writes waiting for a second one
        // held all the write-pending room between them): a write over more tracks than the cache lets be dirty never fits.
        const span = tracksSpanned(largest, cacheSystem.trackBytes);
        const limit = cacheDirtyLimit(cache.sizeBytes, cacheSystem.trackBytes, cache.writePendingThreshold);
        if (span > limit)
          error(
            'write-exceeds-cache',
            `workload ${w.id} writes ${bytes(largest)} at a time, up to ${span} tracks of ${bytes(cacheSystem.trackBytes)}; cache ${cache.name || cache.id} lets only ${limit} track(s) hold write-pending data (${bytes(cache.sizeBytes)} x ${cache.writePendingThreshold}): enlarge the cache, raise its write-pending threshold or write smaller blocks`,
            ['hosts', i, 'workloads', j, w.trace ? 'trace' : 'blockBytes'],
            w.id,
          );
      }
      if (hostCablesToLu(t, h.id, w.luId).length === 0) {
        const lu = ix.lus.get(w.luId)!;
        error(
          'workload-unreachable',
          `host ${h.name || h.id} writes to ${lu.name || lu.id}, but none of its ports is cabled to ${lu.portId}, the port exposing that LU`,
          path,
          h.id,
        );
      }
    });
  });
  t.ports.forEach((p, i) => ref(p.ownerId, ['systems', 'hosts'], ['ports', i, 'ownerId'], p.id, 'owner'));
  t.cables.forEach((c, i) => {
    const a = ref(c.aPortId, ['ports'], ['cables', i, 'aPortId'], c.id, 'port');
    const b = ref(c.bPortId, ['ports'], ['cables', i, 'bPortId'], c.id, 'port');
    if (!a || !b) return;
    const r = canConnect(t, c.aPortId, c.bPortId, { cableKind: c.kind, ignoreCableId: c.id, skipCableCount: true });
    if (!r.ok) error('bad-cable', r.reason, ['cables', i], c.id);
  });
  t.lus.forEach((l, i) => {
    const portOk = ref(l.portId, ['ports'], ['lus', i, 'portId'], l.id, 'port');
    if (portOk) {
      const nest = canNestIn(t, 'lu', l.portId);
      if (!nest.ok) error('bad-nesting', nest.reason, ['lus', i, 'portId'], l.id);
    }
    if (ref(l.volumeId, ['volumes'], ['lus', i, 'volumeId'], l.id, 'volume')) {
      const size = sizeBytesOf(t, l.volumeId);
      if (size !== undefined && l.startBytes + l.sizeBytes > size)
        error(
          'range-outside-lower',
          `the LU covers bytes ${l.startBytes}..${l.startBytes + l.sizeBytes} but ${l.volumeId} has only ${size} bytes`,
          ['lus', i, 'sizeBytes'],
          l.id,
        );
      const lower = ix.volumes.get(l.volumeId);
      const port = ix.ports.get(l.portId);
      if (lower && port && ix.systems.has(port.ownerId) && lower.systemId !== port.ownerId)
        error('wrong-reference-kind', `the LU is on a port of ${port.ownerId} but exposes ${l.volumeId} of ${lower.systemId}`, ['lus', i, 'volumeId'], l.id);
    }
  });

  // Volumes: owner, mapped ranges, aliases, external backings.
  const reachesThroughPort = (initiatorPortId: string, luId: string, systemId: string, path: JsonPath, ownerId: string, what: string) => {
    const port = ix.ports.get(initiatorPortId);
    const lu = ix.lus.get(luId);
    if (!port || !lu) return;
    if (port.ownerId !== systemId) {
      error('backing-unreachable', `${what}: port ${initiatorPortId} belongs to ${port.ownerId}, not to ${systemId}`, path, ownerId);
      return;
    }
    if (port.kind === 'target') {
      error('backing-unreachable', `${what}: ${initiatorPortId} is a target port; the LU is reached through an initiator`, path, ownerId);
      return;
    }
    const cabled = (ix.cablesByPort.get(port.id) ?? []).some((c) => (c.aPortId === port.id ? c.bPortId : c.aPortId) === lu.portId);
    if (!cabled) error('backing-unreachable', `${what}: no cable joins ${initiatorPortId} to ${lu.portId}, the port exposing ${luId}`, path, ownerId);
  };
  t.volumes.forEach((v, i) => {
    ref(v.systemId, ['systems'], ['volumes', i, 'systemId'], v.id, 'system');
    if (v.kind === 'virtual') {
      v.ranges.forEach((r, j) => {
        const path = ['volumes', i, 'ranges', j];
        if (!ref(r.lowerId, ['volumes', 'lus'], [...path, 'lowerId'], v.id, 'lower volume')) return;
        const size = sizeBytesOf(t, r.lowerId);
        if (size !== undefined && r.startBytes + r.lengthBytes > size)
          error(
            'range-outside-lower',
            `piece ${j} maps bytes ${r.startBytes}..${r.startBytes + r.lengthBytes} of ${r.lowerId}, which has only ${size} bytes`,
            [...path, 'lengthBytes'],
            v.id,
          );
      });
    } else if (v.kind === 'virtualReal') {
      if (ref(v.aliasOfId, ['volumes'], ['volumes', i, 'aliasOfId'], v.id, 'aliased volume')) {
        const target = ix.volumes.get(v.aliasOfId)!;
        if (target.kind !== 'virtual')
          error(
            'alias-not-virtual',
            `a virtual real volume aliases a virtual volume; ${v.aliasOfId} is a ${target.kind === 'real' ? 'real' : 'virtual real'} volume`,
            ['volumes', i, 'aliasOfId'],
            v.id,
          );
      }
      if (v.path) {
        const portOk = ref(v.path.initiatorPortId, ['ports'], ['volumes', i, 'path', 'initiatorPortId'], v.id, 'path port');
        const luOk = ref(v.path.luId, ['lus'], ['volumes', i, 'path', 'luId'], v.id, 'path LU');
        if (portOk && luOk) {
          reachesThroughPort(v.path.initiatorPortId, v.path.luId, v.systemId, ['volumes', i, 'path'], v.id, 'the alias path');
          const lu = ix.lus.get(v.path.luId)!;
          if (lu.volumeId !== v.aliasOfId)
            error('alias-path-mismatch', `the alias path's LU ${lu.id} exposes ${lu.volumeId}, not the aliased ${v.aliasOfId}`, ['volumes', i, 'path', 'luId'], v.id);
        }
      }
    } else if (v.backing.type === 'external') {
      const b = v.backing;
      const portOk = ref(b.initiatorPortId, ['ports'], ['volumes', i, 'backing', 'initiatorPortId'], v.id, 'backing port');
      const luOk = ref(b.luId, ['lus'], ['volumes', i, 'backing', 'luId'], v.id, 'backing LU');
      if (portOk && luOk) {
        reachesThroughPort(b.initiatorPortId, b.luId, v.systemId, ['volumes', i, 'backing'], v.id, 'the external backing');
        const lu = ix.lus.get(b.luId)!;
        if (lu.sizeBytes < v.sizeBytes)
          error('range-outside-lower', `the volume is ${v.sizeBytes} bytes but its external LU ${lu.id} has only ${lu.sizeBytes}`, ['volumes', i, 'sizeBytes'], v.id);
      }
    }
  });

  // Overlapping pieces on one lower volume, unless both are marked shared (multiple virtualization).
  type Extent = { start: number; end: number; shared: boolean; ownerId: string; path: JsonPath };
  const overlaps = (byLower: Map<string, Extent[]>, code: ValidationCode, noun: string) => {
    for (const [lowerId, extents] of byLower) {
      extents.sort((x, y) => x.start - y.start);
      // Sweep keeping the extent reaching furthest so far; report each extent that overlaps an earlier one.
      let reach: Extent | undefined;
      for (const e of extents) {
        if (reach && e.start < reach.end && !(e.shared && reach.shared))
          error(
            code,
            `${noun} of ${e.ownerId} overlaps ${noun} of ${reach.ownerId} on ${lowerId} (bytes ${e.start}..${Math.min(e.end, reach.end)}); mark both shared if that is intended`,
            [...e.path, 'shared'],
            e.ownerId,
          );
        if (!reach || e.end > reach.end) reach = e;
      }
    }
  };
  const pieces = new Map<string, Extent[]>();
  t.volumes.forEach((v, i) => {
    if (v.kind !== 'virtual') return;
    v.ranges.forEach((r, j) => {
      const list = pieces.get(r.lowerId) ?? [];
      list.push({ start: r.startBytes, end: r.startBytes + r.lengthBytes, shared: r.shared, ownerId: v.id, path: ['volumes', i, 'ranges', j] });
      pieces.set(r.lowerId, list);
    });
  });
  overlaps(pieces, 'overlapping-ranges', 'a piece');
  const luAreas = new Map<string, Extent[]>();
  t.lus.forEach((l, i) => {
    const list = luAreas.get(l.volumeId) ?? [];
    list.push({ start: l.startBytes, end: l.startBytes + l.sizeBytes, shared: l.shared, ownerId: l.id, path: ['lus', i] });
    luAreas.set(l.volumeId, list);
  });
  overlaps(luAreas, 'overlapping-lus', 'the area');

  // Cycles in the mapping stack (volume -> lower volume / LU -> volume ...): iterative three-colour DFS.
  const lowerOf = (id: string): string[] => {
    const lu = ix.lus.get(id);
    if (lu) return [lu.volumeId];
    const v = ix.volumes.get(id);
    if (!v) return [];
    if (v.kind === 'virtual') return v.ranges.map((r) => r.lowerId);
    if (v.kind === 'virtualReal') return v.path ? [v.aliasOfId, v.path.luId] : [v.aliasOfId];
    return v.backing.type === 'external' ? [v.backing.luId] : [];
  };
  const colour = new Map<string, 1 | 2>();
  const cyclesSeen = new Set<string>();
  for (const start of [...t.volumes.map((v) => v.id), ...t.lus.map((l) => l.id)]) {
    if (colour.has(start)) continue;
    const stack: { id: string; next: string[] }[] = [{ id: start, next: lowerOf(start) }];
    colour.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const child = top.next.pop();
      if (child === undefined) {
        colour.set(top.id, 2);
        stack.pop();
        continue;
      }
      const c = colour.get(child);
      if (c === 1) {
        const cycle = [...stack.slice(stack.findIndex((s) => s.id === child)).map((s) => s.id), child];
        // One report per loop, however many edges close it.
        const key = [...new Set(cycle)].sort().join(',');
        if (!cyclesSeen.has(key)) {
          cyclesSeen.add(key);
          const loc = ix.byId.get(top.id)!;
          error('mapping-cycle', `the mapping stack loops: ${cycle.join(' -> ')}`, [loc.list, loc.index], top.id);
        }
      } else if (c === undefined && ix.byId.has(child)) {
        colour.set(child, 1);
        stack.push({ id: child, next: lowerOf(child) });
      }
    }
  }

  // Ports: unique WWNs, unique LUNs per port, one cable per port unless switchable or behind a switch (fabric).
  const wwns = new Map<string, string>();
  // Index of each cable in the document; indexOf per extra cable was quadratic on a port with thousands of cables.
  const cableIndex = new Map(t.cables.map((c, i) => [c, i]));
  t.ports.forEach((p, i) => {
    const key = p.wwn.toLowerCase();
    const other = wwns.get(key);
    if (other) error('duplicate-wwn', `WWN ${p.wwn} is already used by port ${other}`, ['ports', i, 'wwn'], p.id);
    else wwns.set(key, p.id);
    const cables = ix.cablesByPort.get(p.id) ?? [];
    if (p.fabric && p.kind === 'switchable')
      // A switchable port's cables take turns through the changeover switch (FIG. 13); a fabric port's are all live at once.
      error('fabric-switchable', `port ${p.name || p.id} is switchable and behind a switch (fabric): a switchable port's cables take turns through its changeover switch, a fabric port's are all live at once; choose one`, ['ports', i, 'fabric'], p.id);
    if (cables.length > 1) {
      if (p.fabric && p.kind !== 'switchable') {
        // Behind a switch: one cable (one fabric path) per peer port; a second cable to the same peer is a duplicate.
        const byPeer = new Map<string, string>();
        for (const c of cables) {
          const peer = c.aPortId === p.id ? c.bPortId : c.aPortId;
          const first = byPeer.get(peer);
          if (first === undefined) byPeer.set(peer, c.id);
          else
            error(
              'fabric-duplicate-path',
              `fabric port ${p.name || p.id} already reaches port ${peer} over cable ${first}; cable ${c.id} is a second path to the same peer port (give each fabric path its own peer port, or use a pair's path group over separate ports)`,
              ['cables', cableIndex.get(c)!],
              c.id,
            );
        }
      } else if (p.kind !== 'switchable') {
        for (const extra of cables.slice(1)) {
          const ci = cableIndex.get(extra)!;
          error('port-over-cabled', `port ${overCabledReason(p, cables[0]!)}`, ['cables', ci], extra.id);
        }
      } else if (new Set(cables.map((c) => c.switchGroup ?? '')).size > 1 || cables.some((c) => !c.switchGroup)) {
        warn(
          'switch-group-missing',
          `switchable port ${p.name || p.id} has ${cables.length} cables; put them in one switchGroup so the changeover switch connects one at a time`,
          ['ports', i],
          p.id,
        );
      }
    }
  });
  const luns = new Map<string, string>();
  t.lus.forEach((l, i) => {
    const key = `${l.portId}#${l.lun}`;
    const other = luns.get(key);
    if (other) error('duplicate-lun', `LUN ${l.lun} on port ${l.portId} is already ${other}`, ['lus', i, 'lun'], l.id);
    else luns.set(key, l.id);
  });

  // Caches hold volumes of their own system.
  t.caches.forEach((c, i) => {
    ref(c.systemId, ['systems'], ['caches', i, 'systemId'], c.id, 'system');
    c.volumeIds.forEach((vid, j) => {
      if (!ref(vid, ['volumes'], ['caches', i, 'volumeIds', j], c.id, 'cached volume')) return;
      const v = ix.volumes.get(vid)!;
      if (v.systemId !== c.systemId)
        error('cache-other-system', `cache ${c.name || c.id} is in ${c.systemId} but ${vid} is a volume of ${v.systemId}`, ['caches', i, 'volumeIds', j], c.id);
    });
  });

  // Pairs: both volumes exist and differ, same size, a cabled route, and for sync a write cost within the bound.
  t.pairs.forEach((p, i) => {
    const okA = ref(p.primaryVolumeId, ['volumes'], ['pairs', i, 'primaryVolumeId'], p.id, 'primary volume');
    const okB = ref(p.secondaryVolumeId, ['volumes'], ['pairs', i, 'secondaryVolumeId'], p.id, 'secondary volume');
    if (!okA || !okB) return;
    if (p.primaryVolumeId === p.secondaryVolumeId) {
      error('pair-same-volume', 'a pair needs two different volumes', ['pairs', i, 'secondaryVolumeId'], p.id);
      return;
    }
    const a = sizeBytesOf(t, p.primaryVolumeId);
    const b = sizeBytesOf(t, p.secondaryVolumeId);
    if (a !== undefined && b !== undefined && a !== b)
      error('pair-size-mismatch', `the primary ${p.primaryVolumeId} is ${a} bytes but the secondary ${p.secondaryVolumeId} is ${b}; a pair needs equal sizes`, ['pairs', i, 'secondaryVolumeId'], p.id);
    const route = pairRoute(t, p.id);
    if (!route) {
      const ps = ix.volumes.get(p.primaryVolumeId)!.systemId;
      const ss = ix.volumes.get(p.secondaryVolumeId)!.systemId;
      error(
        'pair-no-route',
        `no cable runs from an initiator port of ${ps} to a target port of ${ss} exposing an LU on ${p.secondaryVolumeId}; the pair's updates cannot travel`,
        ['pairs', i],
        p.id,
      );
    } else if (p.mode === 'sync') {
      const cable = ix.cables.get(route.cableId)!;
      const hopUs = syncHopWriteUs(cable, SYNC_ESTIMATE_BYTES);
      const ms = hopUs / 1000;
      if (ms > t.syncLatencyBoundMs)
        warn(
          'sync-latency',
          `each host write waits about ${ms.toFixed(2)} ms on ${cable.name || cable.id}, above the ${t.syncLatencyBoundMs} ms bound: ` +
            `${cable.roundTripsPerWrite} round trips x 2 x ${cable.distanceKm} km x 5 us (${(cable.roundTripsPerWrite * 2 * oneWayDelayUs(cable)).toFixed(0)} us)` +
            ` + 4 KiB x ${PROTOCOL_OVERHEAD} overhead x 8 / ${cable.bandwidthMbps} Mbps (${serialisationUs(cable, SYNC_ESTIMATE_BYTES).toFixed(1)} us). Shorten the hop, use fast write, or make the pair asynchronous.`,
          ['pairs', i, 'mode'],
          p.id,
        );
    }
    if (p.paths) checkPathGroup(t, p, i, (message, path) => error('pair-bad-path', message, path, p.id));
    if (p.mode === 'async' && p.journalBytes === undefined)
      warn('async-no-journal', 'an asynchronous pair needs a journal: size it as (host write rate - link rate) x the outage to ride out', ['pairs', i, 'journalBytes'], p.id);
  });

  // Starting data lives where the bytes do: an external volume shows its LU's volume, so that is the one to fill.
  t.volumes.forEach((v, i) => {
    if (v.kind === 'real' && v.initialFill && v.backing.type === 'external')
      error('fill-external', `${v.id} is backed by an external LU: give the starting data (initialFill) to the volume behind ${v.backing.luId} instead`, ['volumes', i, 'initialFill'], v.id);
    if (v.kind === 'real' && v.initialFill && initialFillBytes(v.sizeBytes, v.initialFill) > MAX_INITIAL_FILL_BYTES)
      error(
        'fill-too-large',
        `${v.id} would start with ${bytes(initialFillBytes(v.sizeBytes, v.initialFill))} of data; the engine holds at most ${bytes(MAX_INITIAL_FILL_BYTES)} of starting data per volume: lower the fraction`,
        ['volumes', i, 'initialFill', 'fraction'],
        v.id,
      );
  });

  for (const id of Object.keys(t.layout.nodes))
    if (!ix.byId.has(id)) warn('layout-unknown-element', `the layout places "${id}", which is not an element`, ['layout', 'nodes', id]);

  // An exercise must name elements that exist, or the trainee can never pass it.
  (t.scenario?.exercises ?? []).forEach((ex, x) => {
    const at = ['scenario', 'exercises', x];
    const pair = (id: string, path: (string | number)[], what: string) => {
      if (!t.pairs.some((p) => p.id === id)) error('exercise-unknown-pair', `exercise ${x + 1} ${what} "${id}", which is not a pair`, path);
    };
    const volume = (id: string, path: (string | number)[]) => {
      if (!t.volumes.some((v) => v.id === id)) error('exercise-unknown-volume', `exercise ${x + 1} compares "${id}", which is not a volume`, path);
    };
    const host = (id: string | undefined, path: (string | number)[]) => {
      if (id !== undefined && !t.hosts.some((h) => h.id === id)) error('exercise-unknown-host', `exercise ${x + 1} names the host "${id}", which is not a host`, path);
    };
    ex.mustHappen.forEach((ev, i) => {
      const path = [...at, 'mustHappen', i];
      if (ev.event === 'fault' || ev.event === 'repair') {
        if (!t.cables.some((c) => c.id === ev.elementId) && !t.systems.some((s) => s.id === ev.elementId) && !t.sites.some((s) => s.id === ev.elementId))
          error('exercise-unknown-element', `exercise ${x + 1} requires a ${ev.event} of "${ev.elementId}", which is not a cable, system or site`, [...path, 'elementId']);
      } else if (ev.event === 'writeRefused') host(ev.hostId, [...path, 'hostId']);
      else pair(ev.pairId, [...path, 'pairId'], 'requires an event of');
    });
    ex.atEnd.forEach((c, i) => {
      const path = [...at, 'atEnd', i];
      if (c.check === 'identical') {
        volume(c.volumeA, [...path, 'volumeA']);
        volume(c.volumeB, [...path, 'volumeB']);
      } else if (c.check === 'noWriteRefused') host(c.hostId, [...path, 'hostId']);
      else if (c.check === 'noFullCopy') {
        if (c.pairId !== undefined) pair(c.pairId, [...path, 'pairId'], 'checks');
      } else pair(c.pairId, [...path, 'pairId'], 'checks');
      if (c.check === 'rpoBound' && t.pairs.some((p) => p.id === c.pairId && p.mode !== 'async'))
        error('exercise-rpo-sync', `exercise ${x + 1} bounds the RPO of "${c.pairId}", a synchronous pair (RPO is an asynchronous pair's)`, [...path, 'pairId']);
    });
  });

  // A scenario step that names no element of its kind would be refused when it fires: say so where it is written.
  const scenarioTarget: Record<string, { list: ElementList; noun: string }> = {
    pairId: { list: 'pairs', noun: 'pair' },
    cableId: { list: 'cables', noun: 'cable' },
    systemId: { list: 'systems', noun: 'storage system' },
    siteId: { list: 'sites', noun: 'site' },
    cacheId: { list: 'caches', noun: 'cache' },
  };
  (t.scenario?.timeline ?? []).forEach((ev, i) => {
    for (const [field, target] of Object.entries(scenarioTarget)) {
      const id = (ev.command as Record<string, unknown>)[field];
      if (typeof id === 'string' && !t[target.list].some((el) => el.id === id))
        error('scenario-unknown-element', `the scenario's step at ${ev.atMs} ms names ${target.noun} "${id}", which does not exist`, ['scenario', 'timeline', i, 'command', field]);
    }
  });

  // A stack that cannot be translated end to end (beyond the causes already reported) is caught here, once per volume.
  // One budget of hops for the whole check: stacks that branch at every level (all pieces shared) grow
  // exponentially, and a few KB of hostile file must not keep validation busy for minutes.
  let hopBudget = TRANSLATE_CHECK_BUDGET;
  if (!problems.some((p) => p.severity === 'error'))
    t.volumes.forEach((v, i) => {
      const size = sizeBytesOf(t, v.id);
      if (size === undefined || hopBudget <= 0) return;
      try {
        hopBudget -= translate(t, v.id, 0, size, Math.min(hopBudget, MAX_TRANSLATE_HOPS)).length;
      } catch (e) {
        if (e instanceof TranslateError && e.reason === 'too-complex') hopBudget -= MAX_TRANSLATE_HOPS;
        error('range-outside-lower', `its address space cannot be translated: ${(e as Error).message}`, ['volumes', i], v.id);
      }
    });

  return problems.sort((x, y) => (x.severity === y.severity ? 0 : x.severity === 'error' ? -1 : 1));
}

/** Validates a raw JSON value: the schema (with migrations) first, then the domain rules when the schema passes. */
export function validateDocument(raw: unknown): { topology?: Topology; problems: Problem[] } {
  const loaded = parseTopologyValue(raw);
  if (!loaded.ok) {
    // Name the element the schema problem sits in, from the raw document.
    const problems = loaded.problems.map((p) => {
      const [list, index] = p.path;
      if (typeof list !== 'string' || typeof index !== 'number' || typeof raw !== 'object' || raw === null) return p;
      const el = (raw as Record<string, unknown>)[list];
      const id = Array.isArray(el) ? (el[index] as { id?: unknown } | undefined)?.id : undefined;
      return typeof id === 'string' ? { ...p, elementId: id } : p;
    });
    return { problems };
  }
  return { topology: loaded.topology, problems: validateTopology(loaded.topology) };
}

/** A pair's path group: every cable exists once and joins the primary's system to the secondary's; the minimum fits. */
function checkPathGroup(t: Topology, p: Topology['pairs'][number], i: number, error: (message: string, path: JsonPath) => void): void {
  const ix = indexTopology(t);
  const paths = p.paths!;
  const ends = new Set([ix.volumes.get(p.primaryVolumeId)?.systemId, ix.volumes.get(p.secondaryVolumeId)?.systemId]);
  const seen = new Set<string>();
  paths.cableIds.forEach((id, k) => {
    const at: JsonPath = ['pairs', i, 'paths', 'cableIds', k];
    if (seen.has(id)) return error(`cable ${id} is listed twice in the path group`, at);
    seen.add(id);
    const c = ix.cables.get(id);
    if (!c) return error(`no cable ${id}`, at);
    const owners = new Set([ix.ports.get(c.aPortId)?.ownerId, ix.ports.get(c.bPortId)?.ownerId]);
    if (owners.size !== 2 || [...owners].some((o) => !ends.has(o)))
      error(`cable ${id} does not join the pair's two systems (${[...ends].join(' and ')}), so it cannot be one of its paths`, at);
  });
  if (paths.minPaths > paths.cableIds.length)
    error(`the pair needs ${paths.minPaths} path(s) up but its path group has ${paths.cableIds.length}: it could never replicate`, ['pairs', i, 'paths', 'minPaths']);
}
