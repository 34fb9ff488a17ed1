#!/usr/bin/env node
// Generates the API model from the machine-readable spec and its constraints overlay, both in spec/,
// into src/api/generated/:
//   catalog.ts       the runtime data: every action keyed by its name (parameters with their value
//                    rules, responses, paginators, errors)
//   model.ts         the types: ActionName, Params<A>, Response<A>, ErrorCode<A>, the groups
//   provenance.json  where each part came from (the spec's source of a parameter, the source of each
//                    value rule, whether the seed has the action): build-time only, never imported by
//                    src/, read by tests and docs checks
// `npm run gen:catalog` rewrites them; test/api/catalog-drift.test.ts fails when they drift.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SPEC_PATH = resolve(root, 'spec/voicenavigator-2018-06-12.json');
export const CONSTRAINTS_PATH = resolve(root, 'spec/constraints.json');
export const GENERATED_DIR = resolve(root, 'src/api/generated');
export const OUT_PATH = resolve(GENERATED_DIR, 'catalog.ts');
export const MODEL_PATH = resolve(GENERATED_DIR, 'model.ts');
export const PROVENANCE_PATH = resolve(GENERATED_DIR, 'provenance.json');

const RULE_KEYS = ['min', 'max', 'integerString', 'enum', 'caseInsensitive', 'allowEmpty', 'pattern', 'maxLength', 'json', 'nonBlank'];
const JSON_SHAPES = ['object', 'array', 'array<string>'];

const isRowArray = (v) => Array.isArray(v) && v[0] !== null && typeof v[0] === 'object';

/** The first array-of-objects top-level response field: what a table shows as rows. */
function listFieldOf(response) {
  for (const [k, v] of Object.entries(response ?? {})) {
    if (isRowArray(v)) return k;
    // envelopes such as { DownloadTasks: { List: [...] } }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v)) if (isRowArray(v2)) return `${k}.${k2}`;
    }
  }
  return undefined;
}

/**
 * The paginator of a paged action, as data: the request's page and size parameters, and where the
 * response has its items, its total and its echo of the page and size. The service's convention
 * (PageNumber, PageSize, TotalCount beside the list) is read here, once; an action that has one of
 * the parameters without the rest is refused.
 */
function paginatorOf(action, listField) {
  const has = (n) => action.params.some((p) => p.name === n);
  if (!has('PageNumber') && !has('PageSize')) return undefined;
  if (!has('PageNumber') || !has('PageSize') || !listField)
    throw new Error(`${action.name}: PageNumber and PageSize come together, with a list in the response`);
  const container = listField.split('.').slice(0, -1).join('.');
  const at = (k) => (container ? `${container}.${k}` : k);
  const paginator = { page: 'PageNumber', size: 'PageSize', items: listField, total: at('TotalCount'), echoPage: at('PageNumber'), echoSize: at('PageSize') };
  for (const path of [paginator.total, paginator.echoPage, paginator.echoSize]) {
    let cur = action.response;
    for (const part of path.split('.')) cur = cur && typeof cur === 'object' ? cur[part] : undefined;
    if (cur === undefined) throw new Error(`${action.name}: a paged response needs ${path}`);
  }
  return paginator;
}

/** Checks one rule object of the overlay; returns it without its source. */
function checkRule(where, param, rule) {
  for (const k of Object.keys(rule)) {
    if (k !== 'source' && !RULE_KEYS.includes(k)) throw new Error(`${where}: unknown rule "${k}"`);
  }
  if (typeof rule.source !== 'string' || !rule.source.trim()) throw new Error(`${where}: every rule needs a source`);
  const numeric = param.type === 'integer' || param.type === 'long' || rule.integerString;
  if ((rule.min !== undefined || rule.max !== undefined) && !numeric)
    throw new Error(`${where}: min/max on a ${param.type} (add integerString for a number in a string)`);
  if (rule.json !== undefined && (param.type !== 'string' || !JSON_SHAPES.includes(rule.json)))
    throw new Error(`${where}: json shape needs a string parameter and one of ${JSON_SHAPES}`);
  if ((rule.enum || rule.pattern || rule.maxLength || rule.nonBlank) && param.type !== 'string') throw new Error(`${where}: string rules on a ${param.type}`);
  if (rule.pattern) new RegExp(rule.pattern);
  const { source, ...rest } = rule;
  return { rules: rest, source };
}

/** The spec's actions with the overlay's rules merged into their parameters. */
export function buildModel(spec, constraints) {
  const names = new Set(spec.actions.map((a) => a.name));
  for (const a of Object.keys(constraints.actions ?? {})) if (!names.has(a)) throw new Error(`constraints: unknown action ${a}`);
  const usedShared = new Set();
  const actions = spec.actions.map((a) => {
    const own = constraints.actions?.[a.name] ?? {};
    for (const p of Object.keys(own)) if (!a.params.some((x) => x.name === p)) throw new Error(`constraints: ${a.name} has no parameter ${p}`);
    const response = a.response;
    const envelope = ['Code', 'Success', 'HttpStatusCode'].every((k) => k in (response ?? {}));
    return {
      name: a.name,
      group: a.group,
      method: a.method,
      readOnly: a.readOnly,
      inSeed: a.inSeed,
      ...(a.summary ? { summary: a.summary } : {}),
      params: a.params.map((p) => {
        const shared = constraints.params?.[p.name];
        if (shared) usedShared.add(p.name);
        const merged = { ...(shared ?? {}), ...(own[p.name] ?? {}) };
        if (own[p.name]?.source && shared?.source) merged.source = own[p.name].source;
        const checked = Object.keys(merged).length ? checkRule(`constraints ${a.name}.${p.name}`, p, merged) : undefined;
        return {
          name: p.name,
          type: p.type,
          required: p.required,
          ...(p.example != null ? { example: p.example } : {}),
          // a json rule makes a string a JSON string even where the spec did not say so
          ...(p.jsonString || checked?.rules.json ? { jsonString: true } : {}),
          source: p.source,
          ...(p.description ? { description: p.description } : {}),
          ...(checked ? { rules: checked.rules, rulesSource: checked.source } : {}),
        };
      }),
      response,
      ...(listFieldOf(response) ? { listField: listFieldOf(response) } : {}),
      ...(paginatorOf(a, listFieldOf(response)) ? { paginator: paginatorOf(a, listFieldOf(response)) } : {}),
      ...(envelope ? { envelope: true } : {}),
      errors: a.seedErrors ?? [],
      ...(a.responseSeedOnly ? { responseSeedOnly: a.responseSeedOnly } : {}),
    };
  });
  for (const p of Object.keys(constraints.params ?? {})) if (!usedShared.has(p)) throw new Error(`constraints: no action has a parameter ${p}`);
  return { product: spec.product, version: spec.version, endpoints: spec.endpoints, actions };
}

const HEADER =
  '// GENERATED by scripts/gen-catalog.mjs from spec/voicenavigator-2018-06-12.json and spec/constraints.json.\n' +
  '// Do not edit by hand: run `npm run gen:catalog`.\n';

/** The model without its provenance: what the CLI and the emulator read at run time. */
function runtimeModel(model) {
  return {
    ...model,
    actions: model.actions.map(({ inSeed, responseSeedOnly, params, ...a }) => ({
      ...a,
      params: params.map(({ source, rulesSource, ...p }) => p),
    })),
  };
}

/** Where each part of the model came from: read by tests and docs checks, never shipped. */
function provenanceOf(model) {
  const actions = {};
  for (const a of model.actions) {
    const params = {};
    for (const p of a.params) params[p.name] = { source: p.source, ...(p.rulesSource ? { rulesSource: p.rulesSource } : {}) };
    actions[a.name] = { inSeed: a.inSeed, ...(a.responseSeedOnly ? { responseSeedOnly: a.responseSeedOnly } : {}), params };
  }
  return { $comment: 'GENERATED by scripts/gen-catalog.mjs; build-time only (src/ never imports it)', actions };
}

export function generateCatalogSource(spec, constraints) {
  const { product, version, endpoints, actions } = runtimeModel(buildModel(spec, constraints));
  const texts = actions.map((a) => `  ${JSON.stringify(a.name)}: String.raw\`${rawJson(a)}\`,\n`).join('');
  return (
    `${HEADER}import { parsedOnUse } from '../parsed-on-use.js';\nimport type { ActionSpec, CatalogInfo } from '../types.js';\nimport type { ActionName } from './model.js';\n\n` +
    `export const CATALOG_INFO: CatalogInfo = ${JSON.stringify({ product, version, endpoints }, null, 2)};\n\n` +
    '/**\n' +
    ' * Every action of the model by its wire name: complete, so a lookup by an ActionName is never undefined.\n' +
    ' * Each is a JSON text, parsed the first time it is read: a command reads one or two of them, and V8\n' +
    ' * scans a string and parses JSON much faster than it compiles and runs an object literal (issue #25).\n' +
    ' */\n' +
    `export const ACTION_SPECS: { readonly [A in ActionName]: ActionSpec<A> } = parsedOnUse({\n${texts}});\n`
  );
}

/**
 * Pretty JSON for a String.raw template: the one thing it cannot hold is a backtick or a `${`. Other
 * than ASCII is written as JSON's \\u escapes (a raw template keeps them as they are; JSON.parse reads
 * them back), so the bundle stays ASCII, which Node decodes on its fast path.
 */
function rawJson(value) {
  const text = JSON.stringify(value, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (text.includes('`') || text.includes('${')) throw new Error('the catalog holds a backtick or ${: it cannot be a String.raw template');
  return text;
}

export function generateProvenanceSource(spec, constraints) {
  return `${JSON.stringify(provenanceOf(buildModel(spec, constraints)), null, 2)}\n`;
}

const ident = (k) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k));

/** A response shape (type names, nested objects, [item]) as a TypeScript type. */
function tsOfShape(shape, indent) {
  if (typeof shape === 'string') {
    if (shape === 'long' || shape === 'integer' || shape === 'double' || shape === 'float') return 'number';
    if (shape === 'boolean') return 'boolean';
    if (shape === 'string') return 'string';
    return 'unknown';
  }
  if (Array.isArray(shape)) return shape.length ? `${tsOfShape(shape[0], indent)}[]` : 'unknown[]';
  if (shape && typeof shape === 'object') {
    const pad = '  '.repeat(indent + 1);
    const fields = Object.entries(shape).map(([k, v]) => `${pad}${ident(k)}?: ${tsOfShape(v, indent + 1)};`);
    return `{\n${fields.join('\n')}\n${'  '.repeat(indent)}}`;
  }
  return 'unknown';
}

function tsOfParam(p) {
  if (p.type === 'integer' || p.type === 'long') return 'number | string';
  if (p.type === 'boolean') return 'boolean | string';
  if (p.type === 'array<string>') return 'string[]';
  return 'string';
}

export function generateModelSource(spec, constraints) {
  const model = buildModel(spec, constraints);
  const out = [HEADER];
  out.push('/** Every action of the API, by its wire name. */');
  out.push(`export type ActionName =\n${model.actions.map((a) => `  | '${a.name}'`).join('\n')};\n`);
  out.push('export const ACTION_NAMES = [');
  for (const a of model.actions) out.push(`  '${a.name}',`);
  out.push('] as const satisfies readonly ActionName[];\n');
  out.push('/** The request parameters of each action (numbers may be given as numbers or as their text). */');
  out.push('export interface ActionParams {');
  for (const a of model.actions) {
    out.push(`  ${a.name}: {`);
    for (const p of a.params) out.push(`    ${ident(p.name)}${p.required ? '' : '?'}: ${tsOfParam(p)};`);
    out.push('  };');
  }
  out.push('}\n');
  out.push('/** The response body of each action; every field is optional, as the service may leave any out. */');
  out.push('export interface ActionResponses {');
  for (const a of model.actions) out.push(`  ${a.name}: ${tsOfShape(a.response, 1)};`);
  out.push('}\n');
  out.push("/** The error codes the model lists for each action (the seed's error tables). */");
  out.push('export interface ActionErrors {');
  for (const a of model.actions) {
    const codes = [...new Set((a.errors ?? []).map((e) => e.code))];
    out.push(`  ${a.name}: ${codes.length ? codes.map((c) => `'${c}'`).join(' | ') : 'never'};`);
  }
  out.push('}\n');
  const groups = [...new Set(model.actions.map((a) => a.group))];
  out.push('/** The actions of each API group. */');
  out.push('export interface GroupActions {');
  for (const g of groups) {
    out.push(
      `  ${ident(g)}: ${model.actions
        .filter((a) => a.group === g)
        .map((a) => `'${a.name}'`)
        .join(' | ')};`,
    );
  }
  out.push('}\n');
  out.push('export type Params<A extends ActionName> = ActionParams[A];');
  out.push('export type Response<A extends ActionName> = ActionResponses[A];');
  out.push("/** The error codes the model lists for an action (any action's, for a union). */");
  out.push('export type ErrorCode<A extends ActionName> = ActionErrors[A];');
  out.push("/** The wire names of an action's parameters (of any of them, for a union). */");
  out.push('export type ParamName<A extends ActionName> = { [K in A]: keyof ActionParams[K] & string }[A];');
  return `${out.join('\n')}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8'));
  const constraints = JSON.parse(readFileSync(CONSTRAINTS_PATH, 'utf8'));
  mkdirSync(GENERATED_DIR, { recursive: true });
  writeFileSync(OUT_PATH, generateCatalogSource(spec, constraints));
  writeFileSync(MODEL_PATH, generateModelSource(spec, constraints));
  writeFileSync(PROVENANCE_PATH, generateProvenanceSource(spec, constraints));
  console.log(`wrote ${OUT_PATH}, ${MODEL_PATH} and ${PROVENANCE_PATH} (${spec.actions.length} actions)`);
}
