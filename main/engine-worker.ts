// Entry of the engine worker thread (dist/main/engine-worker.mjs): runs the engine driver off the main thread, for desktop and web alike.
import { parentPort } from 'node:worker_threads';
import { createEngineDriver } from './engine/driver';
import { serveEngine } from './engine-host';

if (!parentPort) throw new Error('engine-worker.mjs runs as a worker thread started by EngineHost.start, not on its own');
const port = parentPort;
// After dispose the driver holds no timers; closing the port lets the thread end by itself.
serveEngine(port, createEngineDriver, () => port.close());
