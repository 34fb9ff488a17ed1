import type { ActionName } from '../../api/catalog.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Output } from '../../output/render.js';
import type { FlagDef, FlagParams } from '../define.js';

export type DialogueEnv = 'debug' | 'live';

/** `--env`: the Debug* actions talk to the draft (the default, for testing); live ones to the published bot. */
export const ENV_FLAG: FlagDef = {
  name: 'env',
  choices: ['debug', 'live'],
  default: 'debug',
  valueName: 'env',
  description: 'debug: the draft, through the Debug* actions (for testing); live: the published instance',
};

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

/** Sends one dialogue action and shows its answer as a bot turn in table mode. */
export async function sendTurn(ctx: Context, action: ActionName, params: FlagParams): Promise<Output> {
  const out = await ctx.call(action, params);
  return { ...out, view: { kind: 'turn' } };
}
