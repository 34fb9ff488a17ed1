import { defaultNavigationConfig } from '../defaults.js';
import type { RequestParams } from '../params.js';
import { getInstance } from './instance.js';
import type { ActionContext, HandlerTable } from './types.js';

/** seed: 10.1 DescribeNavigationConfig — the actions a final prompt may lead to. */

type NavigationConfig = Record<string, Record<string, unknown>>;

/** The stored navigation config of an instance (a new one starts with the seed's example). */
export function readNavigationConfig(ctx: Pick<ActionContext, 'store'>, instanceId: string): NavigationConfig {
  const json = ctx.store.configs.navigation(instanceId);
  const defaults = defaultNavigationConfig() as NavigationConfig;
  if (json === undefined) return defaults;
  const stored = JSON.parse(json) as NavigationConfig;
  // a section missing from an older row reads as its default
  return { ...defaults, ...stored };
}

/** Replaces one section of the stored config, leaving the others as they are. */
function writeSection(ctx: ActionContext, instanceId: string, section: string, values: Record<string, unknown>): void {
  const config = readNavigationConfig(ctx, instanceId);
  config[section] = { ...config[section], ...values };
  ctx.store.configs.putNavigation(instanceId, JSON.stringify(config));
}

// Prompts, FinalPrompt, GreetingWords and SourceType not blank, Threshold/Timeout ≥ 1, FinalAction one of
// the seed's four, FinalActionParams a JSON object: the model's rules (spec/constraints.json), checked
// by the gateway before a handler runs.

/** FinalActionParams is a stringified JSON object; an empty value means no parameters ("{}"). */
function finalActionParams(p: RequestParams<'FinalActionParams'>): string | undefined {
  const raw = p.str('FinalActionParams');
  if (raw === undefined) return undefined;
  return raw.trim() === '' ? '{}' : raw;
}

/** Optional fields left out keep their stored value; sent empty, they are cleared. */
function optional(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

export const handlers = {
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
      optional({ GreetingWords: p.req('GreetingWords'), SourceType: p.req('SourceType'), IntentTrigger: p.str('IntentTrigger') }),
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
        Prompt: p.req('Prompt'),
        Timeout: p.int('Timeout'),
        Threshold: p.int('Threshold'),
        FinalPrompt: p.req('FinalPrompt'),
        FinalAction: p.req('FinalAction'),
        FinalActionParams: finalActionParams(p),
        IntentTrigger: p.str('IntentTrigger'),
        SourceType: p.req('SourceType'),
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
        Prompt: p.req('Prompt'),
        Threshold: p.int('Threshold'),
        FinalPrompt: p.req('FinalPrompt'),
        FinalAction: p.req('FinalAction'),
        FinalActionParams: finalActionParams(p),
      }),
    );
    return {};
  },
} satisfies Partial<HandlerTable>;
