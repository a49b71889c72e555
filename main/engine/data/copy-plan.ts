// The initial/differential copy loop over a bitmap: transfers only tracks that hold data, skips never-written spans in bulk.
import type { DifferentialBitmap } from './bitmap';
import type { SparseVolume } from './sparse-volume';

export type CopyStep =
  /** Copy this track: the source or the target holds data there. */
  | { kind: 'track'; track: number }
  /**
   * Tracks in [start, end) are set but neither side ever held data there: copying them changes no
   * content (zeros onto zeros). `tracks` of them are set; clearing the span is their whole copy.
   */
  | { kind: 'zeroSpan'; start: number; end: number; tracks: number }
  | { kind: 'done' };

/**
 * The next piece of copy work at or after `fromTrack` (bitmap tracks are in the source's track size).
 * Cost is a few binary searches, independent of the volume size.
 */
export function nextCopyStep(bitmap: DifferentialBitmap, source: SparseVolume, target: SparseVolume, fromTrack = 0): CopyStep {
  const track = bitmap.nextSet(fromTrack);
  if (track === undefined) return { kind: 'done' };
  const dataAt = nextTrackWithData(source, target, track, bitmap.trackCount);
  if (dataAt === track) return { kind: 'track', track };
  const end = dataAt ?? bitmap.trackCount;
  return { kind: 'zeroSpan', start: track, end, tracks: bitmap.countRange(track, end) };
}

/** First source track >= track where the source or the target holds data (target tracks converted to source tracks). */
function nextTrackWithData(source: SparseVolume, target: SparseVolume, track: number, limit: number): number | undefined {
  const onSource = source.nextWrittenTrack(track);
  let onTarget: number | undefined;
  if (target.trackBytes === source.trackBytes) {
    onTarget = target.nextWrittenTrack(track);
  } else {
    const targetTrack = target.nextWrittenTrack(Math.floor((track * source.trackBytes) / target.trackBytes));
    if (targetTrack !== undefined) onTarget = Math.max(track, Math.floor((targetTrack * target.trackBytes) / source.trackBytes));
  }
  const next = onSource === undefined ? onTarget : onTarget === undefined ? onSource : Math.min(onSource, onTarget);
  return next !== undefined && next < limit ? next : undefined;
}

export interface CopyBudget {
  /** Track copies that move data (the link and the pacing decide this). */
  transfers: number;
  /** Set tracks without data to clear at most; unlimited when absent (they cost nothing to copy). */
  zeroTracks?: number;
}

export interface CopyRound {
  /** Tracks whose content was copied, in order. */
  transferred: number[];
  /** Set tracks cleared without data movement. */
  zeroTracks: number;
  done: boolean;
}

/**
 * One copy run of a pair (initial copy or resync): copies from the bitmap until it is empty. Host
 * writes may set bits behind the cursor meanwhile; the job wraps around to them.
 * Progress = copied / (copied + still set), so it is known without visiting untouched tracks.
 */
export class CopyJob {
  private cursor = 0;
  private copied = 0;
  private transfers = 0;

  constructor(
    readonly bitmap: DifferentialBitmap,
    readonly source: SparseVolume,
    readonly target: SparseVolume,
  ) {}

  /** Tracks cleared by this job so far (data copies plus zero spans). */
  get copiedTracks(): number {
    return this.copied;
  }

  /** Tracks whose data was moved. */
  get transferredTracks(): number {
    return this.transfers;
  }

  get remainingTracks(): number {
    return this.bitmap.count;
  }

  get progress(): number {
    const total = this.copied + this.bitmap.count;
    return total === 0 ? 1 : this.copied / total;
  }

  get done(): boolean {
    return this.bitmap.count === 0;
  }

  /** The next step without doing it (for engines that model the transfer themselves; then call complete*). */
  peek(): CopyStep {
    const step = nextCopyStep(this.bitmap, this.source, this.target, this.cursor);
    if (step.kind === 'done' && this.bitmap.count > 0) {
      this.cursor = 0;
      return nextCopyStep(this.bitmap, this.source, this.target, 0);
    }
    return step;
  }

  /** Record that `track` was copied by the caller: clears its bit. */
  completeTrack(track: number): void {
    if (this.bitmap.clear(track)) this.copied++;
    this.transfers++;
    this.cursor = track + 1;
  }

  /** Clear (part of) a zero span: returns how many set tracks it cleared. */
  completeZeroSpan(start: number, end: number): number {
    const cleared = this.bitmap.clearRange(start, end);
    this.copied += cleared;
    this.cursor = end;
    return cleared;
  }

  /** Copy within a budget, writing the target directly. */
  run(budget: CopyBudget): CopyRound {
    const round: CopyRound = { transferred: [], zeroTracks: 0, done: false };
    let zeroBudget = budget.zeroTracks ?? Number.POSITIVE_INFINITY;
    for (;;) {
      const step = this.peek();
      if (step.kind === 'done') break;
      if (step.kind === 'track') {
        if (round.transferred.length >= budget.transfers) break;
        this.target.copyTrackFrom(this.source, step.track);
        this.completeTrack(step.track);
        round.transferred.push(step.track);
        continue;
      }
      if (zeroBudget <= 0) break;
      // Positions >= set tracks, so clearing `zeroBudget` positions never exceeds the budget.
      const end = step.tracks <= zeroBudget ? step.end : Math.min(step.end, step.start + zeroBudget);
      const cleared = this.completeZeroSpan(step.start, end);
      round.zeroTracks += cleared;
      zeroBudget -= cleared;
    }
    round.done = this.done;
    return round;
  }
}
