import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'DescribeConversation',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  examples: ['vn stats conversation 3f6e… 15608cce-36be-43d5-9361-178cbe64127b'],
});
