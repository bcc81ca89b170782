/** The entry of a `replay --parallel N` worker thread (bundled as dist/bundle/replay-worker.js): see parallel.ts. */
import {parentPort, workerData} from 'node:worker_threads'

import {runWorker, type WorkerTask} from './parallel.js'

await runWorker(workerData as WorkerTask, parentPort!)
