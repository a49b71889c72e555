// Typed errors of the replication data structures: each names the element and the reason, so the engine can report it.

export type DataErrorCode = 'VOLUME_RANGE' | 'TRACK_SIZE' | 'INVALID_ARGUMENT';

/**
 * Thrown only for programming errors of the caller (an offset outside the volume, a negative size),
 * never for operator mistakes: those are answered with refusal results instead.
 */
export class DataStructureError extends Error {
  override readonly name = 'DataStructureError';
  constructor(
    readonly code: DataErrorCode,
    message: string,
    /** Volume, journal or bitmap the error is about, when it has an id. */
    readonly elementId?: string,
  ) {
    super(elementId ? `${elementId}: ${message}` : message);
  }
}

export function assertNonNegativeInteger(value: number, what: string, elementId?: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DataStructureError('INVALID_ARGUMENT', `${what} must be a non-negative safe integer, got ${value}`, elementId);
  }
}
