import { UsageError } from '../../errors.js';

export type ChatbotModel = import('../../dialogue/suite/coverage.js').ChatbotModel;

/**
 * `dialogue test --chatbots`: the bots vn can read, for coverage (intents, DTMF entries) and for
 * --mutate's emulator copy — an emulator chatbots file, or `demo` (the built-in bot). A file that
 * cannot be used is exit 2, one line per problem.
 */
export async function chatbotModel(value: string): Promise<ChatbotModel> {
  return value === 'demo' ? demoModel() : readChatbotsFile(value);
}

export async function demoModel(): Promise<ChatbotModel> {
  const { demoChatbot } = await import('../../emulator/chatbots/demo.js');
  return { bots: [demoChatbot()], source: 'built-in' };
}

export async function readChatbotsFile(file: string): Promise<ChatbotModel> {
  const { loadChatbotFile } = await import('../../emulator/chatbots/load.js');
  const { ChatbotFileError } = await import('../../emulator/chatbots/model.js');
  try {
    return loadChatbotFile(file);
  } catch (e) {
    if (!(e instanceof ChatbotFileError)) throw e;
    const err = new UsageError(e.message);
    err.lines = e.lines;
    throw err;
  }
}
