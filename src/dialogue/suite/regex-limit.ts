import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

/**
 * The regular expressions of a test file (`textMatches`, `save`) run against the bot's text with a
 * time limit, so a pattern with catastrophic backtracking (`(a+)+$`) fails its turn when --timeout
 * runs out instead of hanging the run. JavaScript cannot interrupt a running RegExp on its own
 * thread, so the patterns run in one worker thread, started on first use and kept; the caller
 * waits for the answer synchronously (Atomics.wait) up to the limit. A pattern that does not finish
 * in time gets the worker terminated (V8 interrupts a regular expression for that); the next match
 * starts a fresh one. A match costs a message each way (tens of µs), not a worker.
 */

/** A pattern that did not finish within the limit. */
export class RegexTimeout extends Error {
  constructor(
    readonly source: string,
    readonly timeoutMs: number,
  ) {
    super(`the pattern /${source}/ did not finish within ${timeoutMs} ms (--timeout): it backtracks too much on this text`);
  }
}

// the worker's code, CommonJS, evaluated as is (no file to bundle or find at run time)
const WORKER = `
const { workerData } = require('node:worker_threads');
const flags = new Int32Array(workerData.flags);
const port = workerData.port;
const cache = new Map();
port.on('message', ({ source, text }) => {
  let re = cache.get(source);
  if (!re) {
    re = new RegExp(source);
    if (cache.size > 1000) cache.clear();
    cache.set(source, re);
  }
  const m = re.exec(text);
  port.postMessage(m === null ? { matched: false } : { matched: true, group: m[1] });
  Atomics.store(flags, DONE, 1);
  Atomics.notify(flags, DONE);
});
Atomics.store(flags, READY, 1);
Atomics.notify(flags, READY);
`;
const DONE = 0;
const READY = 1;
/** How long the worker may take to start (a loaded machine); not counted in a pattern's limit. */
const START_LIMIT_MS = 30_000;

interface Running {
  worker: Worker;
  port: MessagePort;
  flags: Int32Array;
}
let running: Running | undefined;

function start(): Running {
  if (running) return running;
  // started on first use only: a suite without patterns never starts a thread
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER.replace(/\bDONE\b/g, String(DONE)).replace(/\bREADY\b/g, String(READY)), {
    eval: true,
    workerData: { flags: flags.buffer, port: port2 },
    transferList: [port2],
  });
  // never what keeps the process alive
  worker.unref();
  port1.unref();
  if (Atomics.wait(flags, READY, 0, START_LIMIT_MS) === 'timed-out') {
    void worker.terminate();
    throw new Error(`the worker for test-file patterns did not start within ${START_LIMIT_MS / 1000} s`);
  }
  running = { worker, port: port1, flags };
  return running;
}

/** Ends the worker (tests; the process never waits for it anyway). */
export async function stopRegexWorker(): Promise<void> {
  const r = running;
  running = undefined;
  await r?.worker.terminate();
}

/** The match of `source` (a pattern already checked when the file was read) in `text`, within `timeoutMs`. */
export function execLimited(source: string, text: string, timeoutMs: number): { matched: boolean; group?: string } {
  const r = start();
  Atomics.store(r.flags, DONE, 0);
  r.port.postMessage({ source, text });
  if (Atomics.wait(r.flags, DONE, 0, timeoutMs) === 'timed-out') {
    running = undefined;
    void r.worker.terminate();
    throw new RegexTimeout(source, timeoutMs);
  }
  // the answer is posted before the flag is set, so it is there; a few tries cover the port's hand-over
  for (let i = 0; i < 1000; i++) {
    const got = receiveMessageOnPort(r.port);
    if (got) return got.message as { matched: boolean; group?: string };
  }
  throw new Error('the worker for test-file patterns answered nothing');
}
