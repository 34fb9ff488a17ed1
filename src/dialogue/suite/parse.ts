import { closest } from '../../suggest.js';
import { type FileIssue, FileIssuesError, YamlFileParser } from '../../yaml-file.js';
import type { Assertion, ParseHelpers } from './assertions/assertion.js';
import { ASSERTIONS, type AssertionKey } from './assertions/index.js';
import {
  CONVERSATION_KEYS,
  DEFAULT_KEYS,
  ENVS,
  EXPECTATION_KEYS,
  type Expectation,
  FILE_KEYS,
  STEP_ACTION_KEYS,
  STEP_KEYS,
  type Step,
  type StepKind,
  type TestFile,
  VARIABLE_PATTERN,
} from './format.js';
import { parseVariants, type VariantSource } from './variants.js';

type YNode = import('yaml').Node;

export type { FileIssue } from '../../yaml-file.js';

/** An invalid test file: exit 2, every problem with its file:line:col. */
export class TestFileError extends FileIssuesError {}

/**
 * Parses and validates one test file; throws TestFileError listing every problem found. The
 * utterance files of `say: { file }` are read (relative to `path`) and each conversation with
 * variants becomes its cases (variants.ts).
 */
export async function parseTestFile(path: string, text: string): Promise<TestFile> {
  const yaml = await import('yaml');
  const parser = new FileParser(yaml, path, text);
  const file = parser.parse();
  if (parser.variants.size === 0) return file;
  const { expandVariants, loadVariantFiles } = await import('./variants.js');
  const issues: FileIssue[] = [];
  const lists = await loadVariantFiles(path, parser.variants, issues);
  if (issues.length === 0) expandVariants(file, lists, issues);
  if (issues.length) throw new TestFileError(issues);
  return file;
}

class FileParser extends YamlFileParser {
  /** The `say` steps with utterance variants, read after the file (their files are read then). */
  readonly variants = new Map<Step, VariantSource>();

  parse(): TestFile {
    const { yaml } = this;
    const doc = yaml.parseDocument(this.text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    this.doc = doc;
    this.issues.addParseErrors(doc.errors);
    if (this.issues.length) throw new TestFileError(this.issues.list);
    const file: TestFile = { path: this.path, tags: [], defaults: {}, conversations: [] };
    const root = doc.contents;
    if (!yaml.isMap(root)) {
      this.issue(root, 'a test file is a mapping with a `conversations` list');
      throw new TestFileError(this.issues.list);
    }
    const seen = this.keys(root, FILE_KEYS, 'file');
    for (const [key, node] of seen) {
      switch (key) {
        case 'instance':
          file.instance = this.str(node, key);
          break;
        case 'env':
          file.env = this.oneOf(node, key, ENVS);
          break;
        case 'callingNumber':
          file.callingNumber = this.numberText(node, key);
          break;
        case 'calledNumber':
          file.calledNumber = this.numberText(node, key);
          break;
        case 'tags':
          file.tags = this.tags(node);
          break;
        case 'defaults':
          file.defaults = this.expectation(node, DEFAULT_KEYS, 'defaults', new Set()) ?? {};
          break;
        case 'conversations':
          this.conversations(node, file);
          break;
      }
    }
    if (!seen.has('conversations')) this.issue(root, 'missing `conversations` (a list of conversations)');
    for (const c of file.conversations) c.tags = [...new Set([...file.tags, ...c.tags])];
    if (this.issues.length) throw new TestFileError(this.issues.list);
    return file;
  }

  private conversations(node: YNode | null, file: TestFile): void {
    if (!this.yaml.isSeq(node) || node.items.length === 0) {
      this.issue(node, '`conversations` must be a non-empty list');
      return;
    }
    const names = new Set<string>();
    node.items.forEach((item, index) => {
      const c = this.deref(item as YNode);
      if (!this.yaml.isMap(c)) {
        this.issue(c, 'a conversation is a mapping with `name` and `turns`');
        return;
      }
      const keys = this.keys(c, CONVERSATION_KEYS, 'conversation');
      const name = keys.has('name') ? this.str(keys.get('name') ?? null, 'name') : undefined;
      if (!keys.has('name')) this.issue(c, 'a conversation needs a `name`');
      if (name !== undefined) {
        if (names.has(name)) this.issue(keys.get('name') ?? c, `two conversations are named "${name}"`);
        names.add(name);
      }
      const line = this.pos(c).line;
      const conv = {
        name: name ?? `#${index + 1}`,
        line,
        index,
        steps: [] as Step[],
        tags: keys.has('tags') ? this.tags(keys.get('tags') ?? null) : [],
        context: keys.has('context') ? this.context(keys.get('context') ?? null, new Set()) : undefined,
        callingNumber: keys.has('callingNumber') ? this.numberText(keys.get('callingNumber') ?? null, 'callingNumber') : undefined,
        calledNumber: keys.has('calledNumber') ? this.numberText(keys.get('calledNumber') ?? null, 'calledNumber') : undefined,
      };
      if (!keys.has('turns')) this.issue(c, `conversation "${conv.name}" needs \`turns\``);
      else this.turns(keys.get('turns') ?? null, conv.steps, line);
      file.conversations.push(conv);
    });
  }

  private turns(node: YNode | null, steps: Step[], convLine: number): void {
    if (!this.yaml.isSeq(node)) {
      this.issue(node, '`turns` must be a list of steps');
      return;
    }
    const saved = new Set<string>();
    let ended = false;
    // the begin call is always step 0; a first item with only `bot` holds the greeting's expectations
    steps.push({ kind: 'begin', line: convLine, index: -1 });
    node.items.forEach((item, index) => {
      const t = this.deref(item as YNode);
      if (!this.yaml.isMap(t)) {
        this.issue(t, 'a step is a mapping: say, dtmf, silence or end, with an optional bot and context');
        return;
      }
      const keys = this.keys(t, STEP_KEYS, 'step');
      const actions = STEP_ACTION_KEYS.filter((k) => keys.has(k));
      const line = this.pos(t).line;
      if (ended) this.issue(t, 'no step may follow `end: true`');
      if (actions.length > 1) this.issue(t, `a step does one thing; this one has ${actions.join(' and ')}`);
      let kind: StepKind;
      let input: string | undefined;
      let variants: VariantSource | undefined;
      const action = actions[0];
      if (!action) {
        if (index !== 0) {
          this.issue(t, 'a step needs one of say, dtmf, silence or end (only the first step may hold just `bot`, for the greeting)');
          return;
        }
        kind = 'begin';
        if (keys.has('context')) this.issue(keys.get('context') ?? t, 'the greeting takes the conversation’s `context`, not a step context');
      } else {
        kind = action;
        const v = keys.get(action) ?? null;
        if (action === 'say' && this.yaml.isMap(v)) {
          variants = parseVariants(v, {
            yaml: this.yaml,
            saved,
            issue: (n, message) => this.issue(n, message),
            pos: (n) => this.pos(n),
            str: (n, key) => this.str(n, key),
            checkVariables: (n, text) => this.checkVariables(n, text, saved),
          });
        } else if (action === 'say') {
          input = this.str(v, 'say');
          if (input !== undefined) this.checkVariables(v, input, saved);
        } else if (action === 'dtmf') {
          input = this.numberText(v, 'dtmf');
          if (input !== undefined) {
            this.checkVariables(v, input, saved);
            if (!/\$\{/.test(input) && !/^[0-9*#]+$/.test(input)) this.issue(v, `dtmf must be digits, * or #, got "${input}"`);
          }
        } else {
          if (!this.yaml.isScalar(v) || v.value !== true) this.issue(v, `\`${action}\` takes the value true`);
          if (action === 'end') {
            ended = true;
            if (keys.has('bot')) this.issue(keys.get('bot') ?? t, 'EndDialogue has no answer to check: `end` takes no `bot`');
          }
        }
      }
      const step: Step = { kind, input, line, index };
      if (variants) this.variants.set(step, variants);
      if (keys.has('context') && kind !== 'begin') step.context = this.context(keys.get('context') ?? null, saved);
      if (keys.has('bot')) step.bot = this.expectation(keys.get('bot') ?? null, EXPECTATION_KEYS, 'bot', saved);
      if (kind === 'begin') steps[0] = step;
      else steps.push(step);
    });
  }

  private expectation(node: YNode | null, allowed: readonly AssertionKey[], where: string, saved: Set<string>): Expectation | undefined {
    if (!this.yaml.isMap(node)) {
      this.issue(node, `\`${where}\` is a mapping of expectations (${allowed.join(', ')})`);
      return undefined;
    }
    const keys = this.keys(node, allowed, where);
    const helpers: ParseHelpers = {
      yaml: this.yaml,
      doc: this.doc,
      saved,
      issue: (n, message) => this.issue(n, message),
      str: (n, key) => this.str(n, key),
      strOrList: (n, key) => this.strOrList(n, key),
      regex: (n, source, key) => this.regex(n, source, key),
    };
    const e: Record<string, unknown> = {};
    for (const [key, v] of keys) {
      const value = (ASSERTIONS[key as AssertionKey] as Assertion<unknown>).parse(v, helpers);
      if (value !== undefined) e[key] = value;
    }
    return e as Expectation;
  }

  private tags(node: YNode | null): string[] {
    if (!this.yaml.isSeq(node)) {
      this.issue(node, '`tags` is a list of words, e.g. [smoke, transfer]');
      return [];
    }
    const out: string[] = [];
    for (const item of node.items) {
      const t = this.str(item as YNode, 'tags');
      if (t === undefined) continue;
      if (!/^[^\s!,]+$/.test(t)) this.issue(item as YNode, `tag "${t}" must be one word without "!" or ","`);
      else out.push(t);
    }
    return out;
  }

  private context(node: YNode | null, saved: Set<string>): Record<string, unknown> | undefined {
    if (!this.yaml.isMap(node)) {
      this.issue(node, '`context` is a mapping (sent as JSON)');
      return undefined;
    }
    this.yaml.visit(node, {
      Scalar: (_key, s) => {
        if (typeof s.value === 'string') this.checkVariables(s, s.value, saved);
      },
    });
    return node.toJS(this.doc as import('yaml').Document) as Record<string, unknown>;
  }

  private checkVariables(node: YNode | null, text: string, saved: Set<string>): void {
    for (const m of text.matchAll(VARIABLE_PATTERN)) {
      if (!saved.has(m[1] as string)) this.issue(node, `\${${m[1]}} is not saved by an earlier step of this conversation (bot.save)`);
    }
  }

  /** The keys of a mapping, with an issue for each unknown, duplicate or non-string key. */
  private keys(map: import('yaml').YAMLMap, allowed: readonly string[], where: string): Map<string, YNode | null> {
    const out = new Map<string, YNode | null>();
    for (const pair of map.items) {
      const k = pair.key as YNode | null;
      const name = this.yaml.isScalar(k) ? String(k.value) : undefined;
      if (name === undefined) {
        this.issue(k, 'keys must be plain words');
        continue;
      }
      if (!allowed.includes(name)) {
        const hint = closest(name, allowed, 2);
        this.issue(k, `unknown key \`${name}\` in ${where}${hint ? ` (did you mean \`${hint}\`?)` : ''}; expected ${allowed.join(', ')}`);
        continue;
      }
      out.set(name, this.deref((pair.value as YNode | null) ?? null));
    }
    return out;
  }

  /** An alias (`*name`) stands for the node its anchor marks. */
  private deref(node: YNode | null): YNode | null {
    if (node && this.yaml.isAlias(node) && this.doc) return (node.resolve(this.doc) as YNode | undefined) ?? null;
    return node;
  }

  private str(node: YNode | null, key: string): string | undefined {
    if (this.yaml.isScalar(node) && typeof node.value === 'string') return node.value;
    this.issue(node, `\`${key}\` must be text`);
    return undefined;
  }

  /** Text that YAML may have read as a number (phone numbers, digits). */
  private numberText(node: YNode | null, key: string): string | undefined {
    if (this.yaml.isScalar(node) && typeof node.value === 'number' && Number.isSafeInteger(node.value)) return node.source ?? String(node.value);
    return this.str(node, key);
  }

  private strOrList(node: YNode | null, key: string): string | string[] | undefined {
    if (this.yaml.isSeq(node)) {
      const list = node.items.map((i) => this.str(i as YNode, key));
      if (list.length === 0) this.issue(node, `\`${key}\` must list at least one text`);
      return list.every((s) => s !== undefined) ? (list as string[]) : undefined;
    }
    return this.str(node, key);
  }

  private oneOf<T extends string>(node: YNode | null, key: string, values: readonly T[]): T | undefined {
    const s = this.str(node, key);
    if (s === undefined) return undefined;
    if (!values.includes(s as T)) {
      this.issue(node, `\`${key}\` must be one of ${values.join(', ')}, got "${s}"`);
      return undefined;
    }
    return s as T;
  }

  private regex(node: YNode | null, source: string, key: string): boolean {
    try {
      new RegExp(source);
      return true;
    } catch (e) {
      this.issue(node, `\`${key}\` is not a valid regular expression: ${(e as Error).message}`);
      return false;
    }
  }
}
