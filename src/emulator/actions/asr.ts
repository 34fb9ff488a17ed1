import { ApiError, SERVICE_ERRORS, type ServiceErrorKind } from '../errors.js';
import type { ActionContext, HandlerTable } from './types.js';

/**
 * ASR settings are kept per level, as the SDK documents ConfigLevel: 0 = system, 1 = tenant,
 * 2 = instance, with EntryId naming the tenant or instance (ignored at level 0). A tenant or
 * instance entry keeps only the fields modified there and reads every other field from the system
 * level, which starts at ASR_DEFAULTS.
 * ConfigLevel left out means 2 when an EntryId is given, else 0.
 */
export const CONFIG_LEVEL = { system: 0, tenant: 1, instance: 2 } as const;

/** What the system level starts with: the managed Alibaba engine and no customisation. */
export const ASR_DEFAULTS = {
  AppKey: '',
  AsrAcousticModelId: '',
  AsrClassVocabularyId: '',
  AsrCustomizationId: '',
  AsrOverrides: '',
  AsrVocabularyId: '',
  Engine: 'ali',
  // sic: the SDK spells it EngineXufei here (EngineXunfei in the TTS config)
  EngineXufei: '',
  NlsServiceType: 'Managed',
};

const MODIFIABLE = [
  'AppKey',
  'AsrAcousticModelId',
  'AsrClassVocabularyId',
  'AsrCustomizationId',
  'AsrOverrides',
  'AsrVocabularyId',
  'Engine',
  'NlsServiceType',
] as const;

type AsrConfig = typeof ASR_DEFAULTS;

/** These two actions answer in the SDK's envelope: errors too come back as HTTP 200 with Success=false. */
class EnvelopeError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  constructor(kind: ServiceErrorKind, message: string) {
    super(message);
    this.code = kind.code;
    this.httpStatus = kind.http;
  }
}

/** The SDK's envelope around Data (every field there on success, Data left out on failure). */
interface Envelope<D> {
  Code: string;
  Success: boolean;
  HttpStatusCode: number;
  ErrorMsg: string;
  Data?: D;
}

function ok<D>(data: D): Envelope<D> {
  return { Code: 'OK', Success: true, HttpStatusCode: 200, ErrorMsg: '', Data: data };
}

function failure<D>(err: EnvelopeError | ApiError): Envelope<D> {
  return { Code: err.code, Success: false, HttpStatusCode: err.httpStatus, ErrorMsg: err.message };
}

/** A handler whose answer, errors included, goes in the envelope. */
function enveloped<K extends string, D>(handler: (ctx: ActionContext<K>) => D): (ctx: ActionContext<K>) => Envelope<D> {
  return (ctx) => {
    try {
      return ok(handler(ctx));
    } catch (err) {
      if (err instanceof EnvelopeError || err instanceof ApiError) return failure(err);
      throw err;
    }
  };
}

interface Entry {
  level: number;
  entryId: string;
}

function entryOf(ctx: ActionContext<'EntryId' | 'ConfigLevel'>): Entry {
  const p = ctx.params;
  const entryId = p.str('EntryId')?.trim() ?? '';
  const level = p.int('ConfigLevel') ?? (entryId ? CONFIG_LEVEL.instance : CONFIG_LEVEL.system);
  if (!(Object.values(CONFIG_LEVEL) as number[]).includes(level)) {
    throw new EnvelopeError(
      SERVICE_ERRORS.invalidParameter,
      'The specified parameter ConfigLevel is invalid. It must be 0 (system), 1 (tenant) or 2 (instance).',
    );
  }
  if (level === CONFIG_LEVEL.system) return { level, entryId: '' };
  if (!entryId)
    throw new EnvelopeError(
      SERVICE_ERRORS.invalidParameter,
      `The specified parameter EntryId is invalid. ConfigLevel ${level} needs the EntryId it applies to.`,
    );
  if (level === CONFIG_LEVEL.instance) {
    if (!ctx.store.instances.find(entryId)) throw new EnvelopeError(SERVICE_ERRORS.instanceNotFound, 'The specified InstanceId does not exist.');
  }
  return { level, entryId };
}

function stored(ctx: Pick<ActionContext, 'store'>, e: Entry): Partial<AsrConfig> | undefined {
  const json = ctx.store.configs.asr(e.level, e.entryId);
  return json === undefined ? undefined : (JSON.parse(json) as Partial<AsrConfig>);
}

function effective(ctx: Pick<ActionContext, 'store'>, e: Entry): AsrConfig {
  const system = { ...ASR_DEFAULTS, ...stored(ctx, { level: CONFIG_LEVEL.system, entryId: '' }) };
  if (e.level === CONFIG_LEVEL.system) return system;
  return { ...system, ...stored(ctx, e) };
}

export const handlers = {
  GetAsrConfig: enveloped((ctx) => effective(ctx, entryOf(ctx))),

  ModifyAsrConfig: enveloped((ctx) => {
    const e = entryOf(ctx);
    const changes: Partial<AsrConfig> = {};
    for (const name of MODIFIABLE) {
      const v = ctx.params.str(name);
      if (v !== undefined) changes[name] = v;
    }
    if (changes.Engine !== undefined && !changes.Engine.trim()) {
      throw new EnvelopeError(SERVICE_ERRORS.invalidParameter, 'The specified parameter Engine is invalid. It must not be empty.');
    }
    // only the fields set at a level are kept there, so the others keep following the system level
    const next = { ...stored(ctx, e), ...changes };
    return { AffectedRows: ctx.store.configs.putAsr(e.level, e.entryId, JSON.stringify(next)) };
  }),
} satisfies Partial<HandlerTable>;
