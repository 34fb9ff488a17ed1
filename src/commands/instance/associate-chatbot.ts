import { defineCommand } from '../define.js';

export default defineCommand({
  description: 'Associates a chatbot (see `vn instance chatbots`) with an instance; its answers then drive the instance’s dialogues.',
  action: 'AssociateChatbotInstance',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  flags: [
    { name: 'chatbot-id', param: 'ChatbotInstanceId', description: 'the chatbot instance to associate' },
    { name: 'chatbot-name', param: 'ChatbotName', description: 'its display name' },
  ],
  examples: ['vn instance associate-chatbot 3f6e… --chatbot-id chatbot-720edd02b66a --chatbot-name 客服机器人'],
  async run(ctx, { params }) {
    const out = await ctx.api('AssociateChatbotInstance', params);
    return { ...out, view: { message: `associated chatbot ${params.ChatbotInstanceId} with instance ${params.InstanceId}` } };
  },
});
