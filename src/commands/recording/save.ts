import { defineCommand } from '../define.js';
import { parseTimeFlag, TIME_FLAG_FORMS } from '../time.js';

export default defineCommand({
  action: 'SaveRecording',
  args: [
    { name: 'instance-id', param: 'InstanceId' },
    { name: 'conversation-id', param: 'ConversationId' },
  ],
  flags: [
    { name: 'file-name', param: 'FileName', valueName: 'name', description: 'file name of the recording' },
    { name: 'file-path', param: 'FilePath', valueName: 'path', description: 'where the recording is stored' },
    { name: 'duration', param: 'Duration', valueName: 'seconds', description: 'length of the recording in seconds' },
    { name: 'start-time', param: 'StartTime', type: 'string', valueName: 'time', description: `when the recording starts: ${TIME_FLAG_FORMS}` },
    { name: 'type', param: 'Type', description: 'recording type' },
    { name: 'voice-slices', param: 'VoiceSliceRecordingList', type: 'json', valueName: 'json', description: 'the per-turn voice slices, a JSON array' },
    { name: 'instance-owner-id', param: 'InstanceOwnerId', valueName: 'id', description: 'account that owns the instance' },
  ],
  examples: [
    'vn recording save 3f6e… 390515b5-… --file-name call.wav --file-path oss://bucket/record/ --duration 10 --start-time 2024-03-01T10:00 --type Source',
  ],
  async run(ctx, { params, flags }) {
    // --duration a number, --file-name/--file-path/--type not empty: the model's rules, checked with the flags
    const duration = String(params.Duration).trim();
    const wire = { ...params, Duration: duration, StartTime: parseTimeFlag('start-time', String(flags.startTime), ctx.now()) };
    const out = await ctx.api('SaveRecording', wire);
    return { ...out, view: { message: `saved recording ${params.FileName} for conversation ${params.ConversationId}` } };
  },
});
