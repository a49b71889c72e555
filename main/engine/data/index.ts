// Replication data structures for the engine core: sparse volumes with content hashes, differential bitmaps, the sorted index behind them.
export * from './errors';
export * from './sorted-index';
export * from './sparse-volume';
export * from './bitmap';
export * from './payload';
