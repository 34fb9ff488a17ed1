import { defineCommand } from '../define.js';

export default defineCommand({
  action: 'CreateDownloadUrl',
  args: [
    { name: 'download-task-id', param: 'DownloadTaskId' },
    { name: 'file-id', param: 'FileId' },
  ],
  examples: ['vn recording url 073f092da0a847b9bf76eb88b5931c7a 22626c39603744f5a08d4d715315561a'],
  async run(ctx, { params }) {
    const out = await ctx.api('CreateDownloadUrl', params);
    const url = (out.data as { FileHttpUrl?: string }).FileHttpUrl;
    return { ...out, view: url ? { message: url } : {} };
  },
});
