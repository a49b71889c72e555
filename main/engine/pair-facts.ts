// What the data path asks about the pairs on every write (which pairs a volume is the primary or secondary of, whether any pair records or copies), kept until any pair changes.
import { currentPairsEpoch, type PairRt } from './pairs';

/** Frozen: a restore takes over the live run's arrays and refills them, and must never refill this shared one. */
export const NO_PAIRS: readonly PairRt[] = Object.freeze([]);

/**
 * Answers worked out from the pair list and kept while pairs.ts's epoch holds (it moves on every state change, swap,
 * pair added, copy or restore of a run). A write asks several of these per volume it crosses; each used to walk every
 * pair (48 in 24 copies of FIG. 1) and pairsWithPrimary built a list per ask: a tenth of what the data path allocated.
 */
export class PairFacts {
  private readonly primary = new Map<string, readonly PairRt[]>();
  /** Every paired pair whose secondary is the volume, by volume id. */
  private readonly secondaries = new Map<string, readonly PairRt[]>();
  /** Pairs downstream of a volume (pair-states.ts downstreamOf), by volume id. */
  private readonly downstream = new Map<string, readonly PairRt[]>();
  private recording: boolean | undefined = undefined;
  private copying: boolean | undefined = undefined;
  private epoch = -1;

  constructor(private readonly pairList: readonly PairRt[]) {}

  /** The paired pairs whose primary is the volume, in pair order. Shared: read it, never change it. */
  withPrimary(volumeId: string): readonly PairRt[] {
    return this.paired(this.primary, volumeId, true);
  }

  /** Every paired pair whose secondary is the volume (usually none or one), in pair order. Shared: read it, never change it. */
  allWithSecondary(volumeId: string): readonly PairRt[] {
    return this.paired(this.secondaries, volumeId, false);
  }

  /** The paired pairs with the volume on one side (kept in `known` until a pair changes). */
  private paired(known: Map<string, readonly PairRt[]>, volumeId: string, primary: boolean): readonly PairRt[] {
    this.current();
    const list = known.get(volumeId);
    if (list !== undefined) return list;
    let out: PairRt[] | undefined;
    for (const p of this.pairList) if ((primary ? p.primaryId : p.secondaryId) === volumeId && p.rules.paired) (out ??= []).push(p);
    const made = out ?? NO_PAIRS;
    known.set(volumeId, made);
    return made;
  }

  /**
   * `make()`'s answer for the pairs downstream of a volume, kept while no pair changes: a delta-resync standby asked for
   * it on every host write a suspended leg took into its bitmap, and each ask built a set and a list.
   */
  downstreamOf(volumeId: string, make: () => readonly PairRt[]): readonly PairRt[] {
    this.current();
    let known = this.downstream.get(volumeId);
    if (known === undefined) this.downstream.set(volumeId, (known = make()));
    return known;
  }

  anyRecording(): boolean {
    this.current();
    if (this.recording === undefined) {
      this.recording = false;
      for (const q of this.pairList) if (q.rules.recordsOnPrimary) this.recording = true;
    }
    return this.recording;
  }

  anyCopying(): boolean {
    this.current();
    if (this.copying === undefined) {
      this.copying = false;
      for (const q of this.pairList) if (q.state === 'COPY') this.copying = true;
    }
    return this.copying;
  }

  /** Forgets every answer when any pair changed since they were worked out. */
  private current(): void {
    const epoch = currentPairsEpoch();
    if (this.epoch === epoch) return;
    this.primary.clear();
    this.secondaries.clear();
    this.downstream.clear();
    this.recording = undefined;
    this.copying = undefined;
    this.epoch = epoch;
  }
}
