// Golden outputs: the engine must reproduce, exactly, what it produced when the fixture was recorded (RELAYLAB_RECORD_GOLDENS=1 re-records; say why in goldens.json's note).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadFigure } from '../../../test/builtins';
import { withoutInitialFill, type Topology } from '../../../app/model/schema';
import { GOLDEN_SCENARIOS, runGolden, type GoldenOutcome } from './scenarios';

const FIXTURE = 'main/engine/golden/goldens.json';
const RECORD = process.env.RELAYLAB_RECORD_GOLDENS === '1';
const sha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();

interface Fixture {
  note: string;
  outcomes: GoldenOutcome[];
}

// The goldens pin the engine's behaviour, not the data the built-ins start with (volume initialFill, a later addition).
const load = (prefix: string): Topology => withoutInitialFill(loadFigure(prefix));

const fixture: Fixture | undefined = existsSync(FIXTURE) ? (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture) : undefined;
const recorded: GoldenOutcome[] = [];

describe('golden outputs of the built-in figures and fault scripts', () => {
  for (const s of GOLDEN_SCENARIOS) {
    test(s.name, () => {
      const out = runGolden(load(s.figure), s, (text) => createHash('sha256').update(text).digest('hex'), sha256);
      if (RECORD) {
        recorded.push(out);
        if (recorded.length === GOLDEN_SCENARIOS.length) {
          writeFileSync(FIXTURE, `${JSON.stringify({ note: fixture?.note ?? 'recorded from the engine before the refactor (issue 15 phase 1)', outcomes: recorded }, null, 1)}\n`);
        }
        return;
      }
      const want = fixture?.outcomes.find((o) => o.name === s.name);
      expect(want, `no golden for "${s.name}": record with RELAYLAB_RECORD_GOLDENS=1`).toBeDefined();
      // Field by field, so a failure names what moved.
      expect(out.firstSteps).toEqual(want!.firstSteps);
      expect(out.commandResults).toEqual(want!.commandResults);
      expect(out.pairChanges).toEqual(want!.pairChanges);
      expect(out.hosts).toEqual(want!.hosts);
      expect(out.volumes).toEqual(want!.volumes);
      expect({ steps: out.stepCount, digest: out.stepDigest }).toEqual({ steps: want!.stepCount, digest: want!.stepDigest });
      expect(out.pairStatusDigest).toBe(want!.pairStatusDigest);
      expect({ endUs: out.endUs, settled: out.settled }).toEqual({ endUs: want!.endUs, settled: want!.settled });
      expect(out.events).toBe(want!.events);
    });
  }
});
