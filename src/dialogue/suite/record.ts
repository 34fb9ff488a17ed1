import type { BotTurn } from '../../api/bot-turn.js';
import { writeFileAtomic } from '../../atomic-file.js';
import type { Assertion } from './assertions/assertion.js';
import { ASSERTIONS, EXPECTATION_KEYS } from './assertions/index.js';
import type { DialogueEnv, Expectation, StepKind } from './format.js';

interface RecordedStep {
  kind: StepKind;
  input?: string;
  context?: Record<string, unknown>;
  turn?: BotTurn;
}

interface RecordedConversation {
  name?: string;
  context?: Record<string, unknown>;
  steps: RecordedStep[];
}

/**
 * A chat session kept as a test file: each conversation with what was sent and, as its
 * expectations, what the bot actually answered — a manual session becomes a regression test.
 */
export class SessionRecorder {
  private readonly conversations: RecordedConversation[] = [];
  private readonly startedAt: string;

  constructor(
    private readonly header: { instance: string; env: DialogueEnv; callingNumber: string; calledNumber?: string; comment?: string },
    now: Date,
  ) {
    this.startedAt = now.toISOString().slice(0, 19).replace('T', ' ');
  }

  beginConversation(context: Record<string, unknown> | undefined, greeting: BotTurn, name?: string): void {
    this.conversations.push({ name, context, steps: [{ kind: 'begin', turn: greeting }] });
  }

  /** A turn that got an answer (a turn that failed is left out: it would not replay). */
  turn(kind: Exclude<StepKind, 'begin' | 'end'>, input: string | undefined, context: Record<string, unknown> | undefined, turn: BotTurn): void {
    this.current()?.steps.push({ kind, input, context, turn });
  }

  end(): void {
    const c = this.current();
    if (c && c.steps.at(-1)?.kind !== 'end') c.steps.push({ kind: 'end' });
  }

  get size(): number {
    return this.conversations.length;
  }

  private current(): RecordedConversation | undefined {
    return this.conversations.at(-1);
  }

  toYaml(yaml: typeof import('yaml')): string {
    const file = {
      instance: this.header.instance,
      env: this.header.env,
      callingNumber: this.header.callingNumber,
      ...(this.header.calledNumber ? { calledNumber: this.header.calledNumber } : {}),
      conversations: this.conversations.map((c, i) => ({
        name: c.name ?? `chat ${this.startedAt} #${i + 1}`,
        ...(c.context ? { context: c.context } : {}),
        turns: c.steps.map((s) => {
          if (s.kind === 'end') return { end: true };
          const step: Record<string, unknown> = {};
          if (s.kind === 'say') step.say = s.input;
          else if (s.kind === 'dtmf') step.dtmf = s.input;
          else if (s.kind === 'silence') step.silence = true;
          if (s.context) step.context = s.context;
          if (s.turn) step.bot = expectationOf(s.turn);
          return step;
        }),
      })),
    };
    // no anchors: a recording is read and edited by people
    const doc = new yaml.Document(file, { aliasDuplicateObjects: false });
    doc.commentBefore = ` ${this.header.comment ?? `recorded by vn dialogue chat on ${this.startedAt} UTC`}; run it with: vn dialogue test <this file>`;
    return doc.toString({ lineWidth: 0 });
  }

  async save(path: string): Promise<void> {
    const yaml = await import('yaml');
    await writeFileAtomic(path, this.toYaml(yaml));
  }
}

/** What the bot answered, as the expectations that answer meets (each assertion's `record`, in the table's order). */
export function expectationOf(turn: BotTurn): Expectation {
  const e: Record<string, unknown> = {};
  for (const key of EXPECTATION_KEYS) {
    const value = (ASSERTIONS[key] as Assertion<unknown>).record?.(turn);
    if (value !== undefined) e[key] = value;
  }
  return e as Expectation;
}
