import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'DescribeInstance',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  examples: ['vn instance describe 3f6e4b1c-…'],
});
