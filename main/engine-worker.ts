// Entry of the worker threads (dist/main/engine-worker.mjs): a live engine driver, or one planning cross-check, off the main thread.
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { answerCrossCheck, isCrossCheckJob } from './crosscheck-host';
import { createEngineDriver } from './engine/driver';
import { serveEngine } from './engine-host';

if (!parentPort) throw new Error('engine-worker.mjs runs as a worker thread started by EngineHost.start or CrossCheckRunner, not on its own');
const port = parentPort;
// One bundle for both jobs keeps packaging to the single unpacked, self-contained file (electron-builder.yml asarUnpack).
if (isCrossCheckJob(workerData)) {
  // One answer, then the thread ends by itself: nothing listens on the port, so nothing keeps it alive.
  port.postMessage(answerCrossCheck(workerData));
} else {
  // After dispose the driver holds no timers; closing the port lets the thread end by itself.
  // node:crypto's sha256 gives Verify the same hashes as the engine's pure-JS one, ~10x faster.
  const sha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();
  serveEngine(port, (host) => createEngineDriver({ ...host, sha256 }), () => port.close());
}
