import { type ActionSpec, allActions, lookupAction } from '../api/catalog.js';
import { validateParams } from '../api/validate.js';
import { UsageError } from '../errors.js';
import { closest } from '../suggest.js';
import { defineCommand, type FlagParams } from './define.js';

/**
 * `--Name value`, `--Name=value`, a bare `--Name` (true, for a boolean parameter only), and a
 * repeated name (a list) into wire parameters. Values may start with a single dash
 * (`--SpeechRate -150`). `isBoolean` says which names may stand alone.
 */
export function parseWireArgs(tokens: string[], isBoolean: (name: string) => boolean = () => true): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  const put = (name: string, value: string) => {
    if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(name)) throw new UsageError(`"--${name}" is not a parameter name`);
    const prev = params[name];
    params[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (!t.startsWith('--') || t === '--') {
      throw new UsageError(`unexpected "${t}": give parameters as --Name value (wire names, e.g. --InstanceId 3f6e…)`);
    }
    const eq = t.indexOf('=');
    if (eq > 2) {
      put(t.slice(2, eq), t.slice(eq + 1));
      continue;
    }
    const next = tokens[i + 1];
    if (next === undefined || next.startsWith('--')) {
      if (!isBoolean(t.slice(2))) throw new UsageError(`${t} needs a value (--Name value, or --Name= for an empty one)`);
      put(t.slice(2), 'true');
      continue;
    }
    put(t.slice(2), next);
    i++;
  }
  return params;
}

function listActions() {
  return {
    data: {
      Actions: allActions().map((a) => ({ Action: a.name, Group: a.group, Method: a.method, ReadOnly: a.readOnly, Paginated: a.paginator !== undefined })),
    },
    view: {
      listField: 'Actions',
      columns: [
        { key: 'Action', header: 'ACTION' },
        { key: 'Group', header: 'GROUP' },
        { key: 'Method', header: 'METHOD' },
        { key: 'ReadOnly', header: 'READ-ONLY', format: (v: unknown) => (v ? 'yes' : '') },
      ],
    },
  };
}

function describeAction(a: ActionSpec) {
  return {
    data: {
      Action: a.name,
      Method: a.method,
      ReadOnly: a.readOnly,
      Parameters: a.params.map((p) => ({ Name: p.name, Type: p.jsonString ? `${p.type} (JSON)` : p.type, Required: p.required, Example: p.example ?? '' })),
    },
    view: {
      listField: 'Parameters',
      columns: [
        { key: 'Name', header: `${a.name} PARAMETER` },
        { key: 'Type', header: 'TYPE' },
        { key: 'Required', header: 'REQUIRED', format: (v: unknown) => (v ? 'yes' : '') },
        { key: 'Example', header: 'EXAMPLE' },
      ],
    },
  };
}

export default defineCommand({
  description:
    'Sends any action of the Voice Navigator API 2018-06-12 with its wire parameter names, checked against the catalog ' +
    '(names, required ones, types, JSON values) before anything is sent. --force sends parameters the catalog does not ' +
    'know. --list lists the actions; `vn call <Action> --describe` lists an action’s parameters.',
  args: [{ name: 'action', optional: true, description: 'the action’s wire name, e.g. DescribeInstance' }],
  flags: [
    { name: 'list', type: 'bool', description: 'list every action' },
    { name: 'describe', type: 'bool', description: 'list the action’s parameters instead of calling it' },
    { name: 'force', type: 'bool', description: 'send parameters the catalog does not know' },
    { name: 'all', type: 'bool', description: 'for a paged action: follow every page and print one response with every item' },
  ],
  passThrough: true,
  examples: [
    'vn call --list',
    'vn call DescribeInstance --describe',
    'vn call DescribeInstance --InstanceId 3f6e…',
    'vn call ModifyTTSConfig --InstanceId 3f6e… --SpeechRate -150',
    'vn call ListInstances --PageSize 50 --all -o json',
  ],
  helpAfter(words) {
    const action = words[0] ? lookupAction(words[0]) : undefined;
    if (!action) return undefined;
    const width = Math.max(...action.params.map((p) => p.name.length)) + 2;
    const lines = action.params.map(
      (p) =>
        `  --${p.name.padEnd(width)}${p.jsonString ? `${p.type} (JSON)` : p.type}${p.required ? ', required' : ''}${p.example ? `, e.g. ${p.example}` : ''}`,
    );
    return `\n${action.name} (${action.method}${action.readOnly ? ', read-only' : ''}) parameters:\n${lines.join('\n')}\n`;
  },
  async run(ctx, { args, flags }) {
    if (flags.list) return listActions();
    const name = args.action as string | undefined;
    if (!name) throw new UsageError('give an action, e.g. vn call DescribeInstance --InstanceId … (vn call --list lists them)');
    if (name.startsWith('-')) throw new UsageError(`put the action first: vn call <Action> --Name value … (got "${name}")`);
    const action = lookupAction(name);
    if (!action) {
      const guess = closest(
        name,
        allActions().map((a) => a.name),
      );
      throw new UsageError(`unknown action ${name}${guess ? ` (did you mean ${guess}?)` : ''}; vn call --list lists them`);
    }
    if (flags.describe) return describeAction(action);
    const types = new Map(action.params.map((p) => [p.name, p.type]));
    const params: Record<string, unknown> = parseWireArgs((args._rest as string[] | undefined) ?? [], (n) => types.get(n) === 'boolean');
    const force = flags.force === true;
    // a parameter typed as a list keeps a single value as a one-item list
    for (const p of action.params) {
      const v = params[p.name];
      if (p.type === 'array<string>' && typeof v === 'string') params[p.name] = [v];
      if (p.type !== 'array<string>' && Array.isArray(v)) throw new UsageError(`--${p.name} was given ${v.length} times; it takes one value`);
    }
    // the one validator, with this command's hints added to its findings
    const describe = `vn call ${action.name} --describe lists its parameters`;
    // --all sets the page and its size itself
    const paging = flags.all === true && action.paginator ? [action.paginator.page, action.paginator.size] : [];
    const issues = validateParams(action, params, { allowUnknown: force }).filter((i) => !(i.kind === 'missing' && paging.includes(i.param)));
    const unknown = issues.find((i) => i.kind === 'unknown');
    if (unknown) {
      const guess = closest(unknown.param.replace(/\.\d+$/, ''), [...types.keys()]);
      throw new UsageError(`${unknown.reason}${guess ? ` (did you mean --${guess}?)` : ''}; add --force to send it anyway (${describe})`);
    }
    const invalid = issues.find((i) => i.kind === 'invalid');
    if (invalid)
      throw new UsageError(
        `--${invalid.reason}${Array.isArray(params[invalid.param]) ? ` (--${invalid.param} was given more than once; it takes one value)` : ''}`,
      );
    const missing = issues.filter((i) => i.kind === 'missing').map((i) => `--${i.param}`);
    if (missing.length) throw new UsageError(`${action.name} needs ${missing.join(', ')} (${describe})`);
    if (flags.all && !action.paginator) throw new UsageError(`--all: ${action.name} is not a paged action`);
    return ctx.api(action.name, params as FlagParams, { all: flags.all === true, force });
  },
});
