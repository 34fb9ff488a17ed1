import { describe, expect, it } from 'vitest';
import { collectInput, followsEveryPage, resolveFlags } from '../../src/commands/build.js';
import type { CommandDef } from '../../src/commands/define.js';
import { UsageError } from '../../src/errors.js';

/** Unit tests of the two steps between commander and a handler: the flags a definition gets, and the input it is given. */

const LIST: CommandDef = {
  action: 'ListInstances',
  flags: [
    { name: 'page-number', param: 'PageNumber', default: 1 },
    { name: 'page-size', param: 'PageSize', default: 10 },
    { name: 'name', param: 'Name' },
    { name: 'status', param: 'Status', choices: ['PUBLISHED', 'DRAFTED', 'DISABLED'] },
  ],
};

const CREATE: CommandDef = {
  action: 'CreateInstance',
  args: [],
  flags: [
    { name: 'name', param: 'Name', aliases: ['title'] },
    { name: 'concurrency', param: 'Concurrency' },
    { name: 'description', param: 'Description' },
  ],
};

function input(def: CommandDef, opts: Record<string, unknown>, positional: (string | undefined)[] = []) {
  return collectInput(def, resolveFlags(def), positional, opts);
}

function usage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('resolveFlags', () => {
  it("fills each flag's kind and requiredness from the model, and adds --all to a paged list", () => {
    const flags = resolveFlags(LIST);
    const by = Object.fromEntries(flags.map((f) => [f.name, f]));
    expect(by['page-number']).toMatchObject({ key: 'pageNumber', kind: 'int', required: false });
    expect(by['page-number']?.spec?.name).toBe('PageNumber');
    expect(by.name).toMatchObject({ kind: 'string', required: false });
    expect(by.all).toMatchObject({ kind: 'bool', required: false });
    expect(flags.map((f) => f.name)).toEqual(['page-number', 'page-size', 'name', 'status', 'wait-until', 'wait-timeout', 'interval', 'all', 'no-paginate']);
  });

  it('piped, a paged list follows every page unless one page was asked for (issue 21)', () => {
    const flags = resolveFlags(LIST);
    const given = (opts: Record<string, unknown>, fromCli: string[] = [], onePage = false) =>
      followsEveryPage(
        LIST,
        flags,
        collectInput(LIST, flags, [], { pageNumber: 1, pageSize: 10, paginate: true, ...opts }),
        (k) => (fromCli.includes(k) ? 'cli' : 'default'),
        onePage,
      );
    expect(given({})).toBe(true);
    expect(given({}, [], true)).toBe(false); // a terminal (or -o xml): one page, and the footer says so
    expect(given({ paginate: false })).toBe(false);
    expect(given({ pageSize: 5 }, ['pageSize'])).toBe(false);
    expect(given({ pageNumber: 2 }, ['pageNumber'])).toBe(false);
    expect(given({ all: true })).toBe(false); // already every page
    expect(usage(() => given({ all: true, paginate: false }))).toMatch(/--all and --no-paginate contradict/);
    expect(followsEveryPage(CREATE, resolveFlags(CREATE), input(CREATE, { name: 'x', concurrency: '1' }), () => undefined, false)).toBe(false);
  });

  it('a required parameter without a default is a required flag', () => {
    const by = Object.fromEntries(resolveFlags(CREATE).map((f) => [f.name, f]));
    expect(by.name?.required).toBe(true);
    expect(by.concurrency).toMatchObject({ kind: 'int', required: true });
    expect(by.description?.required).toBe(false);
    expect(by.all).toBeUndefined(); // not a list
  });

  it('adds --watch and --interval to a watchable command, and no --all when paginate is false', () => {
    const names = resolveFlags({ ...LIST, watch: true, paginate: false }).map((f) => f.name);
    expect(names).toContain('watch');
    expect(names).toContain('interval');
    expect(names).not.toContain('all');
  });

  it('refuses a flag mapped to a parameter the action does not have (a definition bug, caught at once)', () => {
    expect(() => resolveFlags({ action: 'ListInstances', flags: [{ name: 'x', param: 'NoSuchParam' }] })).toThrow(
      /ListInstances has no parameter NoSuchParam \(flag --x\)/,
    );
  });
});

describe('collectInput', () => {
  it('maps arguments and flags to wire parameters, coercing by kind', () => {
    const got = input(LIST, { pageNumber: '2', pageSize: 10, name: '客服', status: 'published' });
    expect(got.params).toEqual({ PageNumber: 2, PageSize: 10, Name: '客服', Status: 'PUBLISHED' });
    expect(got.flags).toMatchObject({ pageNumber: 2, status: 'PUBLISHED' });
  });

  it('takes a positional argument into its parameter and refuses an empty one', () => {
    const def: CommandDef = { action: 'DescribeInstance', args: [{ name: 'instance-id', param: 'InstanceId' }] };
    expect(input(def, {}, ['i-1']).params).toEqual({ InstanceId: 'i-1' });
    expect(input(def, {}, ['i-1']).args).toEqual({ instanceId: 'i-1' });
    expect(usage(() => input(def, {}, ['  ']))).toBe('<instance-id> must not be empty');
  });

  it('names every missing required option at once', () => {
    expect(usage(() => input(CREATE, {}))).toBe('missing required options --name, --concurrency');
    expect(usage(() => input(CREATE, { name: 'a' }))).toBe('missing required option --concurrency');
  });

  it('reads a flag by its alias', () => {
    expect(input(CREATE, { title: 'via alias', concurrency: '3' }).params).toMatchObject({ Name: 'via alias', Concurrency: 3 });
  });

  it('refuses a non-integer, an unknown choice (with a suggestion) and a value the model rules out, naming the flag', () => {
    expect(usage(() => input(CREATE, { name: 'a', concurrency: '1.5' }))).toBe('--concurrency must be an integer, got "1.5"');
    expect(usage(() => input(CREATE, { name: 'a', concurrency: '99999999999999999999' }))).toBe('--concurrency is out of range: 99999999999999999999');
    expect(usage(() => input(LIST, { status: 'PUBLISHD' }))).toBe(
      '--status must be one of PUBLISHED, DRAFTED, DISABLED, got "PUBLISHD" (did you mean PUBLISHED?)',
    );
    expect(usage(() => input(CREATE, { name: 'a', concurrency: '0' }))).toMatch(/^--concurrency /);
  });

  it('parses JSON flags but sends the text as given; bool flags go out as true/false; lists split on commas', () => {
    const def: CommandDef = {
      flags: [
        { name: 'context', type: 'json' },
        { name: 'yes', type: 'bool' },
        { name: 'tags', type: 'list' },
      ],
    };
    const got = input(def, { context: '{"vip": true}', yes: true, tags: 'a, b,,c' });
    expect(got.flags).toEqual({ context: { vip: true }, yes: true, tags: ['a', 'b', 'c'] });
    expect(usage(() => input(def, { context: '{bad' }))).toMatch(/^--context must be valid JSON: /);
  });

  it('a JSON-string parameter keeps its text on the wire', () => {
    const def: CommandDef = {
      action: 'DebugBeginDialogue',
      args: [{ name: 'instance-id', param: 'InstanceId' }],
      flags: [
        { name: 'calling-number', param: 'CallingNumber', default: '138' },
        { name: 'conversation-id', param: 'ConversationId' },
        { name: 'context', param: 'InitialContext', type: 'json' },
      ],
    };
    const got = input(def, { callingNumber: '138', conversationId: 'c', context: '{ "a": 1 }' }, ['i']);
    expect(got.params.InitialContext).toBe('{ "a": 1 }');
    expect(got.flags.context).toEqual({ a: 1 });
  });
});
