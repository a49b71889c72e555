// Replication data structures for the engine core: volumes, bitmaps, journals, copy loop and the pair state machine.
export * from './errors';
export * from './sorted-index';
export * from './sparse-volume';
export * from './bitmap';
export * from './journal';
export * from './copy-plan';
export * from './pair-state';
