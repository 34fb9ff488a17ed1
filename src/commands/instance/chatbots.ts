import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'ListChatbotInstances',
  flags: [
    { name: 'instance-id', param: 'InstanceId', description: 'only the chatbot associated with this instance' },
    { name: 'page-number', param: 'PageNumber', default: 1, description: 'page to show' },
    { name: 'page-size', param: 'PageSize', default: 10, description: 'chatbots per page' },
  ],
  examples: ['vn instance chatbots', 'vn instance chatbots --all -o json --query "Bots[].InstanceId"'],
});
