import { defineCommand } from '../define.js';

export default defineCommand({
  description: 'Shows how many calls the instance is handling now (RealTimeConcurrency) against its limit (MaxConcurrency).',
  action: 'GetRealTimeConcurrency',
  watch: true,
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  examples: [
    'vn instance concurrency 3f6e…',
    'vn instance concurrency 3f6e… -o json --query RealTimeConcurrency',
    'vn instance concurrency 3f6e… --watch --interval 1',
  ],
});
