import { describe, expect, it } from 'vitest';
import type { LiveInstance } from '../../src/manifest/live.js';
import type { DesiredInstance } from '../../src/manifest/load.js';
import { callsFor, diffConfigs } from '../../src/manifest/plan.js';

const live = (sections: LiveInstance['sections'], enabled = true): LiveInstance => ({
  id: 'i-1',
  name: 'a',
  status: enabled ? 'Published' : 'Disabled',
  enabled,
  sections,
  readOnly: {},
});
const desired = (sections: DesiredInstance['sections'], enabled?: boolean): DesiredInstance => ({
  name: 'a',
  file: 'f.yaml',
  pos: { line: 1, col: 1 },
  positions: new Map(),
  sections,
  enabled,
});

describe('diff and plan agree', () => {
  const cases: [string, LiveInstance['sections'], DesiredInstance['sections'], number][] = [
    ['a number and its text are the same value', { tts: { SpeechRate: -150 } }, { tts: { SpeechRate: '-150' } }, 0],
    ['JSON compares as data', { silenceTimeout: { FinalActionParams: '{"b":2,"a":1}' } }, { silenceTimeout: { FinalActionParams: { a: 1, b: 2 } } }, 0],
    ['a value the service does not show reads as empty', { tts: {} }, { tts: { Engine: '' } }, 0],
    ['a changed field', { tts: { Volume: 50 } }, { tts: { Volume: 60 } }, 1],
    ['a section the file leaves out is not compared', { tts: { Volume: 50 } }, {}, 0],
  ];
  for (const [what, have, want, n] of cases) {
    it(what, () => {
      const changes = diffConfigs(live(have), desired(want), 'declared');
      const calls = callsFor(desired(want), live(have), { associateChatbot: false });
      expect(changes).toHaveLength(n);
      expect(calls).toHaveLength(n);
    });
  }

  it('sends TTS and ASR only the fields that differ, and a navigation section whole', () => {
    const calls = callsFor(
      desired({ tts: { Voice: 'aixia', Volume: 50 }, greeting: { GreetingWords: 'hi' }, asr: { AsrVocabularyId: 'v2' } }, false),
      live({
        tts: { Voice: 'xiaoyun', Volume: 50 },
        greeting: { GreetingWords: 'hello', SourceType: 'chatbotIntent', IntentTrigger: '' },
        asr: { AsrVocabularyId: 'v1', Engine: 'ali' },
      }),
      { associateChatbot: false },
    );
    expect(calls).toEqual([
      { action: 'ModifyTTSConfig', params: { InstanceId: 'i-1', Voice: 'aixia' } },
      { action: 'ModifyGreetingConfig', params: { InstanceId: 'i-1', GreetingWords: 'hi', SourceType: 'chatbotIntent', IntentTrigger: '' } },
      { action: 'ModifyAsrConfig', params: { ConfigLevel: 2, EntryId: 'i-1', AsrVocabularyId: 'v2' } },
      { action: 'DisableInstance', params: { InstanceId: 'i-1' } },
    ]);
  });
});
