import { type ActionSpec, allActions, lookupAction } from '../api/catalog.js';

/**
 * Fault rules (the chaos API): each matches action(s) by name or glob, optionally one instance,
 * and fires with a probability; when it fires it injects an error the model lists for the action
 * (with its real HTTP status and message), throttling with Retry-After, a dropped connection,
 * latency (fixed, uniform or normal), or a slow body. Rules come from `--chaos` (the text grammar
 * below), `--chaos-file` (JSON or YAML) or `/_vn/chaos` (JSON); `--fault-rate R` is the rule
 * `*:fault:R`. docs/emulator.md ("Chaos") documents both forms.
 *
 * Text grammar: ACTIONS:EFFECT[:PROBABILITY][:KEY=VALUE…]
 *   ACTIONS      a name or glob (`*`, `Describe*`), several joined by commas
 *   EFFECT       throttle | error=CODE | drop | latency | slow-body | fault
 *   PROBABILITY  0..1 (default 1)
 *   KEY=VALUE    retry-after=SECONDS (throttle), instance=ID, ms=N (fixed), ms=MIN-MAX (uniform),
 *                ms=MEAN~SD (normal) (latency and slow-body)
 */

export type Delay = { dist: 'fixed'; ms: number } | { dist: 'uniform'; min: number; max: number } | { dist: 'normal'; mean: number; stddev: number };

export type ChaosEffect =
  | { kind: 'error'; code: string }
  | { kind: 'throttle'; retryAfter?: number }
  | { kind: 'drop' }
  | { kind: 'latency'; delay: Delay }
  | { kind: 'slow-body'; delay: Delay }
  /** What --fault-rate always did: the service's 500, throttling or a dropped connection, at random. */
  | { kind: 'fault' };

export interface ChaosRule {
  id: string;
  actions: string[];
  instance?: string;
  probability: number;
  effect: ChaosEffect;
}

/** A rule as JSON (the API, --chaos-file): the text form's parts by name. */
export interface ChaosRuleInput {
  actions: string | string[];
  effect: ChaosEffect['kind'];
  probability?: number;
  instance?: string;
  code?: string;
  retryAfter?: number;
  ms?: number | string;
}

export class ChaosRuleError extends Error {
  override name = 'ChaosRuleError';
}

const EFFECTS: readonly ChaosEffect['kind'][] = ['error', 'throttle', 'drop', 'latency', 'slow-body', 'fault'];
const MAX_DELAY_MS = 10 * 60_000;

/** Parses the text form (`DebugDialogue:throttle:0.3:retry-after=2`). */
export function parseChaosText(text: string): Omit<ChaosRule, 'id'> {
  const parts = text.split(':');
  if (parts.length < 2)
    throw new ChaosRuleError(`"${text}": a rule is ACTIONS:EFFECT[:PROBABILITY][:KEY=VALUE…] (e.g. DebugDialogue:throttle:0.3:retry-after=2)`);
  const [actions, effectText, ...rest] = parts as [string, string, ...string[]];
  const input: ChaosRuleInput = { actions: actions.split(','), effect: 'drop' };
  const eq = effectText.indexOf('=');
  const effectName = eq < 0 ? effectText : effectText.slice(0, eq);
  if (effectName === 'error') {
    if (eq < 0) throw new ChaosRuleError(`"${text}": the error effect names its code: error=CODE (e.g. error=InternalServerError)`);
    input.code = effectText.slice(eq + 1);
  } else if (eq >= 0) throw new ChaosRuleError(`"${text}": only error takes a value (error=CODE); give options as :KEY=VALUE`);
  input.effect = effectName as ChaosEffect['kind'];
  let i = 0;
  if (rest.length > 0 && !(rest[0] as string).includes('=')) {
    const p = Number(rest[0]);
    if ((rest[0] as string).trim() === '' || !Number.isFinite(p))
      throw new ChaosRuleError(`"${text}": the probability "${rest[0]}" is not a number between 0 and 1`);
    input.probability = p;
    i = 1;
  }
  for (const opt of rest.slice(i)) {
    const k = opt.indexOf('=');
    const key = k < 0 ? opt : opt.slice(0, k);
    const value = k < 0 ? '' : opt.slice(k + 1);
    if (k < 0 || value === '') throw new ChaosRuleError(`"${text}": "${opt}" is not KEY=VALUE`);
    if (key === 'retry-after') input.retryAfter = Number(value);
    else if (key === 'instance') input.instance = value;
    else if (key === 'ms') input.ms = value;
    else throw new ChaosRuleError(`"${text}": unknown option "${key}" (retry-after, instance, ms)`);
  }
  return checkRule(input, text);
}

/** Checks a rule given as JSON (the API, a file); `where` names it in messages. */
export function checkRule(input: unknown, where: string): Omit<ChaosRule, 'id'> {
  if (typeof input === 'string') return parseChaosText(input);
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new ChaosRuleError(`${where}: a rule is an object (actions, effect, probability, …) or a string`);
  const r = input as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!['actions', 'effect', 'probability', 'instance', 'code', 'retryAfter', 'ms', 'id'].includes(k))
      throw new ChaosRuleError(`${where}: unknown field "${k}" (actions, effect, probability, instance, code, retryAfter, ms)`);
  }
  const actions = typeof r.actions === 'string' ? [r.actions] : r.actions;
  if (!Array.isArray(actions) || actions.length === 0 || actions.some((a) => typeof a !== 'string' || a === ''))
    throw new ChaosRuleError(`${where}: actions must be an action name or glob, or a list of them`);
  const matched = matchingActions(actions as string[], where);
  const probability = r.probability === undefined ? 1 : r.probability;
  if (typeof probability !== 'number' || !Number.isFinite(probability) || probability < 0 || probability > 1)
    throw new ChaosRuleError(`${where}: probability must be a number between 0 and 1`);
  if (r.instance !== undefined && (typeof r.instance !== 'string' || r.instance === '')) throw new ChaosRuleError(`${where}: instance must be an instance id`);
  const kind = r.effect as ChaosEffect['kind'];
  if (!EFFECTS.includes(kind)) throw new ChaosRuleError(`${where}: effect must be one of ${EFFECTS.join(', ')}`);
  const extra = (field: string, allowedFor: ChaosEffect['kind'][]) => {
    if (r[field] !== undefined && !allowedFor.includes(kind)) throw new ChaosRuleError(`${where}: ${field} does not apply to ${kind}`);
  };
  extra('code', ['error']);
  extra('retryAfter', ['throttle']);
  extra('ms', ['latency', 'slow-body']);
  let effect: ChaosEffect;
  if (kind === 'error') {
    const code = r.code;
    if (typeof code !== 'string' || code === '') throw new ChaosRuleError(`${where}: the error effect needs a code`);
    if (!matched.some((a) => a.errors.some((e) => e.code === code))) {
      const listed = [...new Set(matched.flatMap((a) => a.errors.map((e) => e.code)))].sort();
      throw new ChaosRuleError(
        `${where}: ${code} is not an error the model lists for ${matched.length === 1 ? (matched[0] as ActionSpec).name : 'these actions'}` +
          (listed.length
            ? ` (it lists: ${listed.slice(0, 12).join(', ')}${listed.length > 12 ? ', …' : ''})`
            : ' (it lists none; use throttle, drop or fault)'),
      );
    }
    effect = { kind, code };
  } else if (kind === 'throttle') {
    const ra = r.retryAfter;
    if (ra !== undefined && (typeof ra !== 'number' || !Number.isInteger(ra) || ra < 0 || ra > 86_400))
      throw new ChaosRuleError(`${where}: retry-after must be a whole number of seconds (0..86400)`);
    effect = ra === undefined ? { kind } : { kind, retryAfter: ra };
  } else if (kind === 'latency' || kind === 'slow-body') {
    if (r.ms === undefined) throw new ChaosRuleError(`${where}: ${kind} needs ms: N, MIN-MAX (uniform) or MEAN~SD (normal)`);
    effect = { kind, delay: parseDelay(r.ms, where) };
  } else effect = { kind };
  return {
    actions: actions as string[],
    ...(r.instance !== undefined ? { instance: r.instance as string } : {}),
    probability,
    effect,
  };
}

function parseDelay(ms: unknown, where: string): Delay {
  const bad = () => new ChaosRuleError(`${where}: ms must be N, MIN-MAX (uniform) or MEAN~SD (normal), in milliseconds up to ${MAX_DELAY_MS}`);
  const num = (s: string) => {
    if (!/^\d+(\.\d+)?$/.test(s)) throw bad();
    const n = Number(s);
    if (n > MAX_DELAY_MS) throw bad();
    return n;
  };
  if (typeof ms === 'number') return { dist: 'fixed', ms: num(String(ms)) };
  if (typeof ms !== 'string') throw bad();
  const uniform = /^([^-~]+)-([^-~]+)$/.exec(ms);
  if (uniform) {
    const min = num(uniform[1] as string);
    const max = num(uniform[2] as string);
    if (max < min) throw bad();
    return { dist: 'uniform', min, max };
  }
  const normal = /^([^-~]+)~([^-~]+)$/.exec(ms);
  if (normal) return { dist: 'normal', mean: num(normal[1] as string), stddev: num(normal[2] as string) };
  return { dist: 'fixed', ms: num(ms) };
}

function globRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** The model's actions the names or globs match; a name or glob that matches none is refused. */
function matchingActions(patterns: string[], where: string): ActionSpec[] {
  const all = allActions();
  const out = new Set<ActionSpec>();
  for (const p of patterns) {
    const re = globRegExp(p);
    const hits = all.filter((a) => re.test(a.name));
    if (hits.length === 0) throw new ChaosRuleError(`${where}: "${p}" matches no action of the API (e.g. DebugDialogue, Describe*, *)`);
    for (const h of hits) out.add(h);
  }
  return [...out];
}

/** The rule in the text grammar (how the banner and the request log show it). */
export function ruleText(rule: Omit<ChaosRule, 'id'>): string {
  const e = rule.effect;
  const parts = [rule.actions.join(','), e.kind === 'error' ? `error=${e.code}` : e.kind, String(rule.probability)];
  if (e.kind === 'throttle' && e.retryAfter !== undefined) parts.push(`retry-after=${e.retryAfter}`);
  if (e.kind === 'latency' || e.kind === 'slow-body') parts.push(`ms=${delayText(e.delay)}`);
  if (rule.instance !== undefined) parts.push(`instance=${rule.instance}`);
  return parts.join(':');
}

function delayText(d: Delay): string {
  return d.dist === 'fixed' ? String(d.ms) : d.dist === 'uniform' ? `${d.min}-${d.max}` : `${d.mean}~${d.stddev}`;
}

/** A rule as JSON (GET /_vn/chaos). */
export function ruleJson(rule: ChaosRule): Record<string, unknown> {
  const e = rule.effect;
  return {
    id: rule.id,
    actions: rule.actions,
    ...(rule.instance !== undefined ? { instance: rule.instance } : {}),
    probability: rule.probability,
    effect: e.kind,
    ...(e.kind === 'error' ? { code: e.code } : {}),
    ...(e.kind === 'throttle' && e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
    ...(e.kind === 'latency' || e.kind === 'slow-body' ? { ms: e.delay.dist === 'fixed' ? e.delay.ms : delayText(e.delay) } : {}),
    text: ruleText(rule),
  };
}

/** One draw of a delay, in ms (never negative). */
export function drawDelay(d: Delay, random: () => number = Math.random): number {
  if (d.dist === 'fixed') return d.ms;
  if (d.dist === 'uniform') return d.min + random() * (d.max - d.min);
  // Box-Muller
  const u = 1 - random();
  const v = random();
  return Math.max(0, Math.min(MAX_DELAY_MS, d.mean + d.stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)));
}

/** The emulator's live rule list (the flags', then whatever /_vn/chaos sets). */
export class ChaosRules {
  private list: ChaosRule[] = [];
  private nextId = 1;
  private readonly matchers = new WeakMap<ChaosRule, RegExp[]>();

  constructor(rules: Omit<ChaosRule, 'id'>[] = []) {
    this.add(rules);
  }

  get rules(): readonly ChaosRule[] {
    return this.list;
  }

  add(rules: Omit<ChaosRule, 'id'>[]): ChaosRule[] {
    const added = rules.map((r) => ({ ...r, id: `r${this.nextId++}` }));
    this.list = [...this.list, ...added];
    return added;
  }

  replace(rules: Omit<ChaosRule, 'id'>[]): ChaosRule[] {
    this.list = [];
    return this.add(rules);
  }

  remove(id: string): boolean {
    const before = this.list.length;
    this.list = this.list.filter((r) => r.id !== id);
    return this.list.length < before;
  }

  clear(): void {
    this.list = [];
  }

  /** The rules that fire for one request, in order (each drawn against its probability). */
  fire(action: string | undefined, instanceId: string | undefined, random: () => number = Math.random): ChaosRule[] {
    const out: ChaosRule[] = [];
    for (const rule of this.list) {
      if (rule.instance !== undefined && rule.instance !== instanceId) continue;
      if (!this.matches(rule, action)) continue;
      if (rule.effect.kind === 'error' && !actionLists(action, rule.effect.code)) continue;
      if (rule.probability < 1 && random() >= rule.probability) continue;
      out.push(rule);
    }
    return out;
  }

  private matches(rule: ChaosRule, action: string | undefined): boolean {
    let res = this.matchers.get(rule);
    if (!res) {
      res = rule.actions.map(globRegExp);
      this.matchers.set(rule, res);
    }
    // a request that names no action is matched only by `*`
    return res.some((re) => re.test(action ?? (rule.actions.includes('*') ? '' : '\u0000')));
  }
}

function actionLists(action: string | undefined, code: string): boolean {
  const spec = action === undefined ? undefined : lookupAction(action);
  return spec?.errors.some((e) => e.code === code) === true;
}

/** The error a rule injects: the model's HTTP status and message for the code. */
export function errorOf(action: string, code: string): { http: number; message: string } {
  const spec = lookupAction(action);
  const e = spec?.errors.find((x) => x.code === code);
  return e ? { http: e.http, message: e.message } : { http: 500, message: code };
}
