import { chatbotCatalog, describeSource } from '../chatbots/load.js';
import { type Chatbot, type ChatbotCatalog, ChatbotFileError } from '../chatbots/model.js';
import { type ApiError, SERVICE_ERRORS, serviceError } from '../errors.js';
import { getInstance } from './instance.js';
import type { ActionContext, EmulatorState, HandlerTable } from './types.js';

/** The emulator's chatbots; a bad --chatbots file answers every call that needs it with its message. */
export function catalogOf(state: EmulatorState): ChatbotCatalog {
  try {
    return chatbotCatalog(state);
  } catch (err) {
    // one message, every problem in it (an answer's message is one line)
    if (err instanceof ChatbotFileError) throw serviceError(SERVICE_ERRORS.chatbotFile, err.lines.join('; '));
    throw err;
  }
}

function chatbotNotFound(id: string): ApiError {
  return serviceError(SERVICE_ERRORS.chatbotNotFound, `The specified ChatbotInstanceId ${id} does not exist.`);
}

/**
 * The chatbot an instance answers with: the associated one, else the first of the catalog (the demo
 * bot when no --chatbots file), so a new instance can be talked to at once. An association with a
 * bot this emulator does not define (started since with another file) is an error, not a silent
 * fallback.
 */
export function chatbotForInstance(ctx: Pick<ActionContext, 'state' | 'store'>, instanceId: string): Chatbot | undefined {
  const catalog = catalogOf(ctx.state);
  return associatedChatbot(catalog, instanceId, ctx.store.associations.chatbotOf(instanceId));
}

/**
 * chatbotForInstance when the caller already read the association (`associatedId`, undefined
 * when the instance has none) in its own query: a dialogue turn reads everything in one.
 */
export function chatbotForAssociation(state: EmulatorState, instanceId: string, associatedId: string | undefined): Chatbot | undefined {
  return associatedChatbot(catalogOf(state), instanceId, associatedId);
}

function associatedChatbot(catalog: ChatbotCatalog, instanceId: string, associatedId: string | undefined): Chatbot | undefined {
  if (associatedId === undefined) return catalog.bots[0];
  const bot = catalog.bots.find((b) => b.id === associatedId);
  if (!bot) {
    throw serviceError(
      SERVICE_ERRORS.chatbotNotFound,
      `The chatbot ${associatedId} associated with instance ${instanceId} is not defined in this emulator (${describeSource(catalog)}).`,
    );
  }
  return bot;
}

export const handlers = {
  AssociateChatbotInstance(ctx) {
    const p = ctx.params;
    const instance = getInstance(ctx, p.req('InstanceId'));
    const id = p.req('ChatbotInstanceId');
    const bot = catalogOf(ctx.state).bots.find((b) => b.id === id);
    if (!bot) throw chatbotNotFound(id);
    ctx.store.associations.put({
      instance_id: instance.instance_id,
      chatbot_instance_id: bot.id,
      chatbot_name: p.str('ChatbotName') || bot.name,
      nlu_service_type: p.str('NluServiceType') ?? null,
      nlu_service_params_json: p.str('NluServiceParamsJson') ?? null,
      union_source: p.str('UnionSource') ?? null,
      create_time: ctx.now,
    });
    return {};
  },

  ListChatbotInstances(ctx) {
    const p = ctx.params;
    const { pageNumber, pageSize, offset } = p.page(10);
    // every bot of the emulator can be associated with any instance: InstanceId only has to exist
    const instanceId = p.str('InstanceId');
    if (instanceId) getInstance(ctx, instanceId);
    const bots = catalogOf(ctx.state).bots;
    return {
      TotalCount: bots.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      Bots: bots.slice(offset, offset + pageSize).map((b) => ({
        InstanceId: b.id,
        Name: b.name,
        Introduction: b.introduction,
        Avatar: b.avatar,
        LanguageCode: b.languageCode,
        TimeZone: b.timeZone,
        // a string of epoch ms, as the SDK types it (see the spec's discrepancies)
        CreateTime: String(b.createTime),
      })),
    };
  },
} satisfies Partial<HandlerTable>;
