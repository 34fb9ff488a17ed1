#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): `vn --version` and `vn --help` are answered by one small
// bundle without starting Node's ES module loader; every other command goes on to dist/cli.js.
// Where the running Node has it (22.1+), V8's compile cache keeps dist/'s compiled code between
// runs (in the OS temp dir, or $NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off).
// (Node 20 has none: node:module is not loaded there just to find that out, which --version would pay for)
if (!process.versions.node.startsWith('20.')) require('node:module').enableCompileCache?.();
const { quickAnswer } = require('../dist/quick.cjs');
if (!quickAnswer(process.argv.slice(2), process.stdout)) import('../dist/cli.js').then((cli) => cli.main());
