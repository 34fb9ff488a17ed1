import { defineCommand } from '../define.js';

export default defineCommand({
  summary: 'show an instance’s TTS voice settings',
  action: 'DescribeTTSConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  examples: ['vn tts get 3f6e…', 'vn tts get 3f6e… -o json --query Voice'],
});
