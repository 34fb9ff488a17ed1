import { type DialogueEnv, DialogueSession, type TurnKind } from '../../dialogue/session.js';
import { DEFAULT_CALLING_NUMBER } from '../../dialogue/suite/format.js';
import { UsageError } from '../../errors.js';
import type { Output } from '../../output/render.js';
import type { FlagDef, FlagParams } from '../define.js';
import type { HandlerContext } from '../handler-context.js';

export type { DialogueEnv } from '../../dialogue/session.js';

/** `--env`: the Debug* actions talk to the draft (the default, for testing); live ones to the published bot. */
export const ENV_FLAG: FlagDef = {
  name: 'env',
  choices: ['debug', 'live'],
  default: 'debug',
  valueName: 'env',
  description: 'debug: the draft, through the Debug* actions (for testing); live: the published instance',
};

/**
 * `--env` on a command whose one action serves conversations of both environments (SilenceTimeout,
 * EndDialogue, DescribeConversationContext have no Debug* variant): taken, so a script can pass the
 * same `--env live` to every dialogue command, and it changes nothing that is sent.
 */
export const SAME_ACTION_ENV_FLAG = (action: string): FlagDef => ({
  name: 'env',
  choices: ['debug', 'live'],
  valueName: 'env',
  description: `debug or live: either way ${action}, which has no Debug* variant and serves conversations of both`,
});

/** --context as the API wants it: a JSON object (already parsed by the flag), sent as its text. */
export const CONTEXT_FLAG = (param: string): FlagDef => ({
  name: 'context',
  param,
  valueName: 'json',
  description: 'a JSON object of context values for the bot, e.g. {"vip":true}',
});

export function checkContext(flags: Record<string, unknown>): void {
  const c = flags.context;
  if (c !== undefined && (c === null || typeof c !== 'object' || Array.isArray(c))) throw new UsageError('--context must be a JSON object, e.g. {"vip":true}');
}

const CONTEXT_PARAMS = ['InitialContext', 'AdditionalContext'];

/**
 * Sends one turn of an existing (or, for begin, a new) conversation through the same
 * DialogueSession as chat and the test runner, so the debug/live action and the context parameter
 * are chosen in one place; the answer is shown as a bot turn in table mode.
 */
export async function sendTurn(
  ctx: HandlerContext,
  kind: Exclude<TurnKind, 'end'> | 'end',
  input: { params: FlagParams; flags: Record<string, unknown>; conversationId: string; text?: string },
): Promise<Output> {
  checkContext(input.flags);
  const env = ((input.flags.env as DialogueEnv | undefined) ?? 'debug') as DialogueEnv;
  const { params } = input;
  const session = new DialogueSession(
    async () => ({ data: undefined }),
    {
      instanceId: String(params.InstanceId),
      env,
      callingNumber: String(params.CallingNumber ?? DEFAULT_CALLING_NUMBER),
      calledNumber: params.CalledNumber === undefined ? undefined : String(params.CalledNumber),
    },
    input.conversationId,
  );
  const context = input.flags.context as Record<string, unknown> | undefined;
  if (context && !session.takesContext(kind)) throw new UsageError(`${session.request(kind).action} takes no context (--env live sends one)`);
  const request = session.request(kind, input.text, context);
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => !CONTEXT_PARAMS.includes(k)));
  // the builder's validated parameters, with the session's choice of action and context parameter
  const out = await ctx.api(request.action, { ...rest, ...request.params } as FlagParams);
  return kind === 'end' ? out : { ...out, view: { kind: 'turn' } };
}
