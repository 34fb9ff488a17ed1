import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'DescribeTTSConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  examples: ['vn tts get 3f6e…', 'vn tts get 3f6e… -o json --query Voice'],
});
