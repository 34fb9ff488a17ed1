import { defineCommand } from '../define.js';

export default defineCommand({
  description:
    'Shows the greeting, silence-timeout, unrecognized-input and (where the service returns them) asking-back, complaining and ' +
    'repeating settings; in table mode one section per config.',
  action: 'DescribeNavigationConfig',
  args: [{ name: 'instance-id', param: 'InstanceId' }],
  examples: ['vn ivr get 3f6e…', 'vn ivr get 3f6e… -o json --query SilenceTimeoutConfig'],
  async run(ctx, { params }) {
    const out = await ctx.api('DescribeNavigationConfig', params);
    return { ...out, view: { kind: 'ivr' } };
  },
});
