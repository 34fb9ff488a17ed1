import { setFlagsFromString } from 'node:v8';
import api from 'undici/lib/api/index.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import redirect from 'undici/lib/interceptor/redirect.js';

/**
 * The parts of undici that vn uses, taken from their own modules. undici's index also loads and
 * runs fetch, WebSocket, EventSource, the cache stores, the proxy agents and the mocks, which cost
 * a one-shot command about a third of its start-up (issue #15); the classes here are the very same.
 * Typed as undici's public API (src/client/undici-modules.d.ts).
 */

// undici parses HTTP with llhttp compiled to WebAssembly. With V8's default budget the first answer
// already sends the parser to the optimising compiler, on a background thread that a one-shot
// command then waits for at exit: ~35 MB of peak memory and tens of milliseconds (issue #15). With
// this budget the first few answers are parsed by the baseline code and a longer run (vn dialogue
// test, --all over many pages) still has the optimised parser after about ten.
setFlagsFromString('--wasm-tiering-budget=100000000');

// what undici's index does before anything else: request(), stream(), … on every dispatcher
Object.assign(Dispatcher.prototype, api);

export { Agent };
export const interceptors = { redirect };
