// How many track slots a cache memory has and how many of them may hold write-pending data: one formula for the engine's caches and the validation.

/** Track slots of a cache (at least one). */
export function cacheSlots(sizeBytes: number, trackBytes: number): number {
  return Math.max(1, Math.floor(sizeBytes / trackBytes));
}

/** Slots that may be dirty at once (the write-pending threshold; at least one): a write needing more waits for a destage. */
export function cacheDirtyLimit(sizeBytes: number, trackBytes: number, writePendingThreshold: number): number {
  return Math.max(1, Math.floor(cacheSlots(sizeBytes, trackBytes) * writePendingThreshold));
}

/** The most tracks a write of `bytes` can cover, wherever it starts (one more than it fills when it is not aligned). */
export function tracksSpanned(bytes: number, trackBytes: number): number {
  return Math.ceil((Math.max(1, bytes) - 1) / trackBytes) + 1;
}
