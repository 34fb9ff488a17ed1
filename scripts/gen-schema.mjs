#!/usr/bin/env node
// Writes schema/dialogue-test.schema.json from src/dialogue/suite/schema.ts (the expectations come
// from the assertions' table, src/dialogue/suite/assertions/). test/dialogue/schema-drift.test.ts
// fails when the committed file differs: run `npm run gen:schema` after adding or changing an assertion.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_PATH = resolve(root, 'schema/dialogue-test.schema.json');

// the TypeScript source, bundled in memory (Node 20 does not run .ts) and imported from a data URL
const out = await build({
  entryPoints: [resolve(root, 'src/dialogue/suite/schema.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  logLevel: 'error',
});
const source = out.outputFiles[0].text;
const { testFileSchemaText } = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
writeFileSync(SCHEMA_PATH, testFileSchemaText());
console.log(`wrote ${SCHEMA_PATH}`);
