import { dirname, resolve } from 'node:path';
import { readRegularFile } from '../../regular-file.js';
import type { FileIssue, Pos } from '../../yaml-file.js';
import { type Conversation, type Step, type TestFile, VARIABLE_PATTERN } from './format.js';

type YNode = import('yaml').Node;

/**
 * Utterance variants: `say: { anyOf: [...] }` or `say: { file: utterances/balance.txt }` (one
 * utterance a line, the path relative to the test file). A conversation with variants runs once per
 * combination of its variant turns (the cartesian product), each run its own test case, named
 * after the conversation and the variants it says: `balance [say: 查一下余额]`.
 */

/** At most this many cases come from one conversation; more is exit 2 (say which product it was). */
export const MAX_VARIANT_CASES = 1000;
/** An utterance file larger than this is refused (it is a list of sentences, not a corpus). */
export const MAX_UTTERANCE_FILE_BYTES = 1024 * 1024;

/** The keys of a `say` mapping. */
export const VARIANT_KEYS = ['anyOf', 'file'] as const;

export type VariantSource =
  | { kind: 'list'; texts: string[] }
  /** `file` as written; `at` its node in the test file; `saved`: the variables saved before this step. */
  | { kind: 'file'; file: string; at: Pos; saved: Set<string> };

/** What the test-file parser lends the reading of a `say` mapping. */
export interface VariantParseHelpers {
  yaml: typeof import('yaml');
  issue(node: YNode | null | undefined, message: string): void;
  pos(node: YNode | null | undefined): Pos;
  str(node: YNode | null, key: string): string | undefined;
  /** Issues for `${NAME}` not saved by an earlier step. */
  checkVariables(node: YNode | null, text: string): void;
  saved: Set<string>;
}

/** A `say` mapping: `anyOf` (a non-empty list of distinct texts) or `file` (a path); undefined after reporting what is wrong. */
export function parseVariants(map: import('yaml').YAMLMap, h: VariantParseHelpers): VariantSource | undefined {
  const keys = new Map<string, YNode | null>();
  for (const pair of map.items) {
    const k = pair.key as YNode | null;
    const name = h.yaml.isScalar(k) ? String(k.value) : '';
    if (!(VARIANT_KEYS as readonly string[]).includes(name)) {
      h.issue(k ?? map, `unknown key \`${name}\` in say; a say mapping holds anyOf (a list of utterances) or file (a file of them, one a line)`);
      continue;
    }
    keys.set(name, (pair.value as YNode | null) ?? null);
  }
  if (keys.size !== 1) {
    if (keys.size > 1) h.issue(map, 'say takes anyOf or file, not both');
    else if (map.items.length === 0) h.issue(map, 'say { } is empty: give anyOf (a list of utterances) or file (a file of them, one a line)');
    return undefined;
  }
  const list = keys.get('anyOf');
  if (list !== undefined) {
    if (!h.yaml.isSeq(list) || list.items.length === 0) {
      h.issue(list ?? map, '`say.anyOf` is a non-empty list of utterances');
      return undefined;
    }
    const texts: string[] = [];
    const seen = new Map<string, number>();
    let ok = true;
    list.items.forEach((item, i) => {
      const t = h.str(item as YNode, 'say.anyOf');
      if (t === undefined) {
        ok = false;
        return;
      }
      if (t.trim() === '') {
        h.issue(item as YNode, '`say.anyOf` holds an empty utterance');
        ok = false;
        return;
      }
      const first = seen.get(t);
      if (first !== undefined) {
        h.issue(item as YNode, `"${t}" is listed twice in say.anyOf (items ${first + 1} and ${i + 1})`);
        ok = false;
        return;
      }
      seen.set(t, i);
      h.checkVariables(item as YNode, t);
      texts.push(t);
    });
    return ok ? { kind: 'list', texts } : undefined;
  }
  const fileNode = keys.get('file') ?? null;
  const file = h.str(fileNode, 'say.file');
  if (file === undefined) return undefined;
  if (file.trim() === '') {
    h.issue(fileNode, '`say.file` names no file');
    return undefined;
  }
  return { kind: 'file', file, at: h.pos(fileNode), saved: new Set(h.saved) };
}

/**
 * The utterances of each `say.file`, read relative to the test file: one a line, blank lines and
 * lines starting with `#` left out, each line trimmed. A missing, unreadable or empty file, a
 * repeated utterance or a `${NAME}` not saved before the step is an issue (exit 2, nothing sent).
 */
export async function loadVariantFiles(testPath: string, sources: Map<Step, VariantSource>, issues: FileIssue[]): Promise<Map<Step, string[]>> {
  const out = new Map<Step, string[]>();
  for (const [step, source] of sources) {
    if (source.kind === 'list') {
      out.set(step, source.texts);
      continue;
    }
    const where = (message: string) => issues.push({ file: testPath, ...source.at, message: `say.file ${source.file}: ${message}` });
    const full = resolve(dirname(testPath), source.file);
    let text: string;
    try {
      text = await readRegularFile(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      where(code === 'ENOENT' ? `no such file (looked for ${full})` : `cannot be read (${(e as Error).message})`);
      continue;
    }
    if (Buffer.byteLength(text) > MAX_UTTERANCE_FILE_BYTES) {
      where(`is larger than ${MAX_UTTERANCE_FILE_BYTES / 1024 / 1024} MB; an utterance file holds one utterance a line`);
      continue;
    }
    const texts: string[] = [];
    const seen = new Map<string, number>();
    let ok = true;
    text
      .replace(/^\uFEFF/, '')
      .split('\n')
      .forEach((raw, i) => {
        const t = raw.replace(/\r$/, '').trim();
        if (t === '' || t.startsWith('#')) return;
        const line = i + 1;
        const first = seen.get(t);
        if (first !== undefined) {
          issues.push({
            file: full,
            line,
            col: 1,
            message: `"${t}" is listed twice (first on line ${first}) in the utterances of ${testPath}:${source.at.line}`,
          });
          ok = false;
          return;
        }
        seen.set(t, line);
        for (const m of t.matchAll(VARIABLE_PATTERN)) {
          if (!source.saved.has(m[1] as string)) {
            issues.push({ file: full, line, col: 1, message: `\${${m[1]}} is not saved by an earlier step of this conversation (bot.save)` });
            ok = false;
          }
        }
        texts.push(t);
      });
    if (texts.length === 0) {
      where('holds no utterance (one utterance a line; blank lines and # comments are left out)');
      continue;
    }
    if (ok) out.set(step, texts);
  }
  return out;
}

/**
 * Each conversation with variant turns becomes one conversation per combination of its variants
 * (cartesian product, in file order: the first turn's variants vary slowest), in its place. More
 * than MAX_VARIANT_CASES combinations, or a case named like another conversation, is an issue.
 */
export function expandVariants(file: TestFile, variants: Map<Step, string[]>, issues: FileIssue[]): void {
  if (variants.size === 0) return;
  const out: Conversation[] = [];
  for (const c of file.conversations) {
    const turns = c.steps.filter((s) => variants.has(s));
    if (turns.length === 0) {
      out.push(c);
      continue;
    }
    const lists = turns.map((s) => variants.get(s) as string[]);
    const product = lists.reduce((n, l) => n * l.length, 1);
    if (product > MAX_VARIANT_CASES) {
      issues.push({
        file: file.path,
        line: c.line,
        col: 1,
        message: `conversation "${c.name}" has ${lists.map((l) => l.length).join(' × ')} = ${product} combinations of its variants, more than ${MAX_VARIANT_CASES} (each one is a conversation): give it fewer variants, or split it`,
      });
      continue;
    }
    for (let n = 0; n < product; n++) {
      // the n-th combination: mixed-radix digits, the last variant turn varying fastest
      const chosen = new Map<Step, string>();
      let rest = n;
      for (let i = turns.length - 1; i >= 0; i--) {
        const list = lists[i] as string[];
        chosen.set(turns[i] as Step, list[rest % list.length] as string);
        rest = Math.floor(rest / list.length);
      }
      const label = turns.map((s) => `say: ${chosen.get(s)}`).join('; ');
      out.push({
        ...c,
        name: `${c.name} [${label}]`,
        variantOf: c.name,
        steps: c.steps.map((s) => ({ ...s, ...(chosen.has(s) ? { input: chosen.get(s) } : {}), shared: true })),
      });
    }
  }
  const names = new Map<string, Conversation>();
  for (const c of out) {
    const other = names.get(c.name);
    if (other) issues.push({ file: file.path, line: c.line, col: 1, message: `two conversations are named "${c.name}" (one of them from variants)` });
    else names.set(c.name, c);
  }
  file.conversations = out;
}
