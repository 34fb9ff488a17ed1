import { readFile } from 'node:fs/promises';
import { parsedParams } from '../../api/turn.js';
import type { Mismatch } from './expectations.js';
import type { Expectation } from './format.js';
import { writeFileAtomic } from './reporters/file.js';
import type { FailedTurn } from './runner.js';

/** Whether --update can rewrite this expectation: an answer's key written on the turn itself. */
export function isUpdatable(failure: FailedTurn, m: Mismatch): boolean {
  return failure.step.index >= 0 && m.key !== 'maxLatencyMs' && m.key !== 'save' && failure.step.bot?.[m.key] !== undefined;
}

/**
 * `--update`: the expectations of failing turns rewritten from what the bot actually answered,
 * like snapshot tests. Only the keys that failed, and only those written on the turn itself (a
 * file default is never rewritten from one turn); comments and layout of the file are kept.
 */
export class ExpectationUpdater {
  /** file → "conversation:step" → the first failure seen there. */
  private readonly pending = new Map<string, Map<string, { conversation: number; failure: FailedTurn }>>();

  record(path: string, conversation: number, failure: FailedTurn): void {
    const own = failure.mismatches.filter((m) => isUpdatable(failure, m));
    if (own.length === 0) return;
    let forFile = this.pending.get(path);
    if (!forFile) this.pending.set(path, (forFile = new Map()));
    const key = `${conversation}:${failure.step.index}`;
    if (!forFile.has(key)) forFile.set(key, { conversation, failure: { ...failure, mismatches: own } });
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
      const doc = yaml.parseDocument(await readFile(path, 'utf8'));
      for (const { conversation, failure } of updates.values()) {
        const at = ['conversations', conversation, 'turns', failure.step.index, 'bot'];
        const set = (key: keyof Expectation, value: unknown) => doc.setIn([...at, key], doc.createNode(value));
        const remove = (key: keyof Expectation) => doc.deleteIn([...at, key]);
        const t = failure.turn;
        for (const m of failure.mismatches) {
          switch (m.key) {
            case 'text':
              set('text', t.TextResponse ?? '');
              break;
            case 'textMatches':
            case 'notText':
              remove(m.key);
              set('text', t.TextResponse ?? '');
              break;
            case 'action':
              set('action', t.Action ?? '');
              break;
            case 'params':
              set('params', parsedParams(t) ?? {});
              break;
            case 'interruptible':
              set('interruptible', Boolean(t.Interruptible));
              break;
            case 'sameAsPrevious':
              set('sameAsPrevious', !failure.step.bot?.sameAsPrevious);
              break;
          }
        }
      }
      await writeFileAtomic(path, doc.toString({ lineWidth: 0 }));
      done.push({ file: path, turns: updates.size });
    }
    return done;
  }
}
