#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): `vn --version` and `vn --help` are answered by one small
// bundle without starting Node's ES module loader; every other command goes on to dist/cli.js.
const { quickAnswer } = require('../dist/quick.cjs');
if (!quickAnswer(process.argv.slice(2), process.stdout)) import('../dist/cli.js').then((cli) => cli.main());
