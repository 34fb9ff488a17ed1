import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../atomic-file.js';
import { assertionOf } from './assertions/index.js';
import { isUpdatableMismatch } from './expectations.js';
import type { Step } from './format.js';
import type { FailedTurn } from './runner.js';

type YNode = import('yaml').Node;

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * `--update`: the expectations of failing turns rewritten from what the bot actually answered,
 * like snapshot tests. Only the keys that failed, and only those written on the turn itself (a
 * file default is never rewritten from one turn); each key's assertion says what it writes
 * (assertions/<key>.ts, `update`). The file is edited in place, value by value:
 * every other byte (passing turns, comments, quoting, flow style) stays as it was.
 */
export class ExpectationUpdater {
  /** file → "conversation:step" → the first failure seen there. */
  private readonly pending = new Map<string, Map<string, { conversation: number; step: Step; failure: FailedTurn }>>();

  record(path: string, conversation: number, step: Step, failure: FailedTurn): void {
    const own = failure.mismatches.filter((m) => isUpdatableMismatch(step, m));
    if (own.length === 0) return;
    let forFile = this.pending.get(path);
    if (!forFile) this.pending.set(path, (forFile = new Map()));
    const key = `${conversation}:${step.index}`;
    if (!forFile.has(key)) forFile.set(key, { conversation, step, failure: { ...failure, mismatches: own } });
  }

  /** Number of turns that will be rewritten. */
  get count(): number {
    let n = 0;
    for (const m of this.pending.values()) n += m.size;
    return n;
  }

  /** Turns rewritten per file. */
  async apply(): Promise<{ file: string; turns: number }[]> {
    const yaml = await import('yaml');
    const done: { file: string; turns: number }[] = [];
    for (const [path, updates] of this.pending) {
      const text = await readFile(path, 'utf8');
      const doc = yaml.parseDocument(text, { keepSourceTokens: false });
      const edits: Edit[] = [];
      const deref = (n: unknown) => (yaml.isAlias(n) ? (n.resolve(doc) as YNode | undefined) : (n as YNode | undefined));
      const flowValue = (v: unknown) => {
        if (v !== null && typeof v === 'object') {
          const d = new yaml.Document(v);
          if (yaml.isCollection(d.contents)) d.contents.flow = true;
          return d.toString({ lineWidth: 0 }).trimEnd();
        }
        return typeof v === 'string' ? yamlString(v) : String(v);
      };
      for (const { conversation, step, failure } of updates.values()) {
        const bot = deref(doc.getIn(['conversations', conversation, 'turns', step.index, 'bot'], true));
        if (!yaml.isMap(bot)) continue;
        const pairOf = (key: string) => bot.items.find((p) => yaml.isScalar(p.key) && p.key.value === key);
        const setValue = (key: string, v: unknown) => {
          const pair = pairOf(key);
          const node = pair?.value as YNode | undefined;
          if (!node?.range) return false;
          edits.push({ start: node.range[0], end: node.range[1], text: flowValue(v) });
          return true;
        };
        const removePair = (key: string) => {
          const pair = pairOf(key);
          const k = pair?.key as YNode | undefined;
          const v = pair?.value as YNode | undefined;
          if (!k?.range || !v?.range) return;
          edits.push(removal(text, k.range[0], v.range[1], Boolean(bot.flow)));
        };
        const missed = new Set<string>(failure.mismatches.map((m) => m.key));
        for (const m of failure.mismatches) {
          assertionOf(m.key)?.update?.({
            answer: failure.answer,
            ...(failure.context ? { context: failure.context } : {}),
            key: m.key,
            written: step.bot?.[m.key],
            has: (key) => pairOf(key) !== undefined,
            missed: (key) => missed.has(key),
            setValue,
            removePair,
            replaceKey(from, to, value) {
              const pair = pairOf(from);
              const k = pair?.key as YNode | undefined;
              const v = pair?.value as YNode | undefined;
              if (!k?.range || !v?.range) return;
              edits.push({ start: k.range[0], end: k.range[1], text: to });
              edits.push({ start: v.range[0], end: v.range[1], text: flowValue(value) });
            },
          });
        }
      }
      edits.sort((a, b) => b.start - a.start);
      let out = text;
      for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
      await writeFileAtomic(path, out);
      done.push({ file: path, turns: updates.size });
    }
    return done;
  }
}

/** A plain YAML scalar where that reads back as the same string, else a JSON (double-quoted) one. */
function yamlString(s: string): string {
  const plain = s !== '' && !/^[\s\-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s$|^(true|false|null|~|yes|no|on|off)$/i.test(s) && !/^[\d.+-]/.test(s) && !/[\n\r\t]/.test(s);
  return plain ? s : JSON.stringify(s);
}

/** The text range that removes one `key: value` pair, with its separator (flow) or its line (block). */
function removal(text: string, start: number, end: number, flow: boolean): Edit {
  if (flow) {
    let e = end;
    while (e < text.length && /[ \t]/.test(text[e] as string)) e++;
    if (text[e] === ',') {
      e++;
      while (e < text.length && /[ \t]/.test(text[e] as string)) e++;
      return { start, end: e, text: '' };
    }
    let s = start;
    while (s > 0 && /[ \t]/.test(text[s - 1] as string)) s--;
    if (text[s - 1] === ',') s--;
    return { start: s, end, text: '' };
  }
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  lineEnd = lineEnd < 0 ? text.length : lineEnd + 1;
  return { start: lineStart, end: lineEnd, text: '' };
}
