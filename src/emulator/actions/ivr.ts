import { FINAL_ACTIONS } from '../../api/bot-actions.js';
import { defaultNavigationConfig } from '../defaults.js';
import { invalidParameter } from '../errors.js';
import type { Params } from '../params.js';
import { getInstance } from './instance.js';
import type { ActionContext, ActionHandler } from './types.js';

/** seed: 10.1 DescribeNavigationConfig — the actions a final prompt may lead to. */

type NavigationConfig = Record<string, Record<string, unknown>>;

/** The stored navigation config of an instance (a new one starts with the seed's example). */
export function readNavigationConfig(ctx: Pick<ActionContext, 'db'>, instanceId: string): NavigationConfig {
  const row = ctx.db.prepare('SELECT config_json FROM navigation_configs WHERE instance_id = ?').get(instanceId) as { config_json: string } | undefined;
  const defaults = defaultNavigationConfig() as NavigationConfig;
  if (!row) return defaults;
  const stored = JSON.parse(row.config_json) as NavigationConfig;
  // a section missing from an older row reads as its default
  return { ...defaults, ...stored };
}

/** Replaces one section of the stored config, leaving the others as they are. */
function writeSection(ctx: ActionContext, instanceId: string, section: string, values: Record<string, unknown>): void {
  const config = readNavigationConfig(ctx, instanceId);
  config[section] = { ...config[section], ...values };
  ctx.db
    .prepare(
      'INSERT INTO navigation_configs (instance_id, config_json) VALUES (?, ?) ON CONFLICT (instance_id) DO UPDATE SET config_json = excluded.config_json',
    )
    .run(instanceId, JSON.stringify(config));
}

function nonEmpty(p: Params, name: string): string {
  const v = p.req(name);
  if (!v.trim()) throw invalidParameter(name, 'It must not be empty.');
  return v;
}

function atLeastOne(p: Params, name: string): number {
  const n = p.int(name);
  if (n === undefined || !Number.isInteger(n) || n < 1) throw invalidParameter(name, 'It must be an integer of 1 or more.');
  return n;
}

function finalAction(p: Params): string {
  const v = p.req('FinalAction');
  if (!(FINAL_ACTIONS as readonly string[]).includes(v)) throw invalidParameter('FinalAction', `It must be one of ${FINAL_ACTIONS.join(', ')}.`);
  return v;
}

/** FinalActionParams is a stringified JSON object; an empty value means no parameters ("{}"). */
function finalActionParams(p: Params): string | undefined {
  const raw = p.str('FinalActionParams');
  if (raw === undefined) return undefined;
  if (raw.trim() === '') return '{}';
  const parsed = p.json<unknown>('FinalActionParams');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidParameter('FinalActionParams', 'It must be a JSON object.');
  return raw;
}

/** Optional fields left out keep their stored value; sent empty, they are cleared. */
function optional(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

export const handlers: Record<string, ActionHandler> = {
  DescribeNavigationConfig(ctx) {
    const id = getInstance(ctx, ctx.params.req('InstanceId')).instance_id;
    return readNavigationConfig(ctx, id);
  },

  ModifyGreetingConfig(ctx) {
    const p = ctx.params;
    const id = getInstance(ctx, p.req('InstanceId')).instance_id;
    writeSection(
      ctx,
      id,
      'GreetingConfig',
      optional({ GreetingWords: nonEmpty(p, 'GreetingWords'), SourceType: nonEmpty(p, 'SourceType'), IntentTrigger: p.str('IntentTrigger') }),
    );
    return {};
  },

  ModifySilenceTimeoutConfig(ctx) {
    const p = ctx.params;
    const id = getInstance(ctx, p.req('InstanceId')).instance_id;
    writeSection(
      ctx,
      id,
      'SilenceTimeoutConfig',
      optional({
        Prompt: nonEmpty(p, 'Prompt'),
        Timeout: atLeastOne(p, 'Timeout'),
        Threshold: atLeastOne(p, 'Threshold'),
        FinalPrompt: nonEmpty(p, 'FinalPrompt'),
        FinalAction: finalAction(p),
        FinalActionParams: finalActionParams(p),
        IntentTrigger: p.str('IntentTrigger'),
        SourceType: nonEmpty(p, 'SourceType'),
      }),
    );
    return {};
  },

  ModifyUnrecognizingConfig(ctx) {
    const p = ctx.params;
    const id = getInstance(ctx, p.req('InstanceId')).instance_id;
    writeSection(
      ctx,
      id,
      'UnrecognizingConfig',
      optional({
        Prompt: nonEmpty(p, 'Prompt'),
        Threshold: atLeastOne(p, 'Threshold'),
        FinalPrompt: nonEmpty(p, 'FinalPrompt'),
        FinalAction: finalAction(p),
        FinalActionParams: finalActionParams(p),
      }),
    );
    return {};
  },
};
