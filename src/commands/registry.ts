import { declared, type GroupEntry, type VerbEntry } from './define.js';

export type { CommandTree, GroupEntry, VerbEntry } from './define.js';

export const GROUPS: GroupEntry[] = [
  {
    name: 'instance',
    summary: 'voice-navigation instances: list, create, modify, enable, delete',
    verbs: [
      { name: 'list', aliases: ['ls'], summary: 'list instances', load: () => import('./instance/list.js') },
      {
        name: 'describe',
        aliases: ['get'],
        summary: 'show one instance',
        load: declared({ action: 'DescribeInstance', args: [{ name: 'instance-id', param: 'InstanceId' }], examples: ['vn instance describe 3f6e4b1c-…'] }),
      },
      { name: 'create', summary: 'create an instance', load: () => import('./instance/create.js') },
      { name: 'modify', summary: 'change an instance’s concurrency, name or description', load: () => import('./instance/modify.js') },
      { name: 'delete', aliases: ['rm'], summary: 'delete an instance', load: () => import('./instance/delete.js') },
      { name: 'enable', summary: 'enable (publish) an instance', load: () => import('./instance/enable.js') },
      { name: 'disable', summary: 'disable an instance', load: () => import('./instance/disable.js') },
      { name: 'associate-chatbot', summary: 'associate a chatbot with an instance', load: () => import('./instance/associate-chatbot.js') },
      { name: 'chatbots', summary: 'list the chatbots that can be associated', load: () => import('./instance/chatbots.js') },
      { name: 'concurrency', summary: 'show an instance’s live and maximum concurrency', load: () => import('./instance/concurrency.js') },
      {
        name: 'export',
        summary: 'write instances’ whole configuration as a file (YAML or JSON) for vn diff and vn apply',
        load: () => import('./instance/export.js'),
      },
    ],
  },
  {
    name: 'tts',
    summary: 'text-to-speech voice: show, change, listen to a sample',
    verbs: [
      { name: 'get', summary: 'show an instance’s TTS voice settings', load: () => import('./tts/get.js') },
      { name: 'set', summary: 'change the voice, speech rate or volume', load: () => import('./tts/set.js') },
      { name: 'audition', summary: 'synthesise a sample sentence (and save the WAV)', load: () => import('./tts/audition.js') },
    ],
  },
  {
    name: 'ivr',
    summary: 'navigation config: greeting, silence timeout, unrecognized input, ASR',
    verbs: [
      { name: 'get', summary: 'show an instance’s navigation config', load: () => import('./ivr/get.js') },
      { name: 'set-greeting', summary: 'change the greeting', load: () => import('./ivr/set-greeting.js') },
      { name: 'set-silence-timeout', summary: 'change what happens when the caller says nothing', load: () => import('./ivr/set-silence-timeout.js') },
      { name: 'set-unrecognizing', summary: 'change what happens when the caller is not understood', load: () => import('./ivr/set-unrecognizing.js') },
    ],
    groups: [
      {
        name: 'asr',
        summary: 'speech recognition settings',
        verbs: [
          { name: 'get', summary: 'show the ASR config', load: () => import('./ivr/asr/get.js') },
          { name: 'set', summary: 'change the ASR config', load: () => import('./ivr/asr/set.js') },
        ],
      },
    ],
  },
  {
    name: 'dialogue',
    summary: 'talk to an instance: one call per command, for scripts and gateways',
    verbs: [
      { name: 'begin', summary: 'start a conversation and print the greeting', load: () => import('./dialogue/begin.js') },
      { name: 'say', summary: 'send what the caller said', load: () => import('./dialogue/say.js') },
      { name: 'dtmf', summary: 'send keypad digits', load: () => import('./dialogue/dtmf.js') },
      { name: 'silence', summary: 'report that the caller said nothing (no Debug* variant)', load: () => import('./dialogue/silence.js') },
      { name: 'end', summary: 'end a conversation (no Debug* variant)', load: () => import('./dialogue/end.js') },
      { name: 'context', summary: 'show a conversation’s context', load: () => import('./dialogue/context.js') },
      { name: 'chat', summary: 'talk to an instance turn by turn (an interactive debug chat)', load: () => import('./dialogue/chat.js') },
      { name: 'test', summary: 'run scripted conversation tests (YAML) against an instance, for CI', load: () => import('./dialogue/test.js') },
      { name: 'merge', summary: 'merge the JSON reports of test shards into one result, in any report format', load: () => import('./dialogue/merge.js') },
    ],
  },
  {
    name: 'stats',
    summary: 'statistics and conversations: summaries, queries, transcripts',
    verbs: [
      { name: 'summary', summary: 'conversation statistics per hour or day, with a chart', load: () => import('./stats/summary.js') },
      { name: 'query', summary: 'find conversations by calling number and time', load: () => import('./stats/query.js') },
      { name: 'conversations', summary: 'list an instance’s conversations', load: () => import('./stats/conversations.js') },
      { name: 'conversation', summary: 'show one conversation', load: () => import('./stats/conversation.js') },
      { name: 'transcript', summary: 'show a conversation turn by turn', load: () => import('./stats/transcript.js') },
    ],
  },
  {
    name: 'export',
    summary: 'CSV exports of conversations and statistics: start, follow, download',
    verbs: [
      { name: 'conversations', summary: 'export conversation details (--output-file to download)', load: () => import('./export/conversations.js') },
      { name: 'statistics', summary: 'export statistics per hour or day (--output-file to download)', load: () => import('./export/statistics.js') },
      { name: 'status', summary: 'show an export task’s status and file URL', load: () => import('./export/status.js') },
      { name: 'download', summary: 'download an export task’s file', load: () => import('./export/download.js') },
      {
        name: 'download-tasks',
        aliases: ['tasks'],
        summary: 'list download tasks: the files of every export, with the ids `vn recording url` takes',
        load: () => import('./export/tasks.js'),
      },
    ],
  },
  {
    name: 'recording',
    summary: 'call recordings: show, download, upload, register, download URLs',
    verbs: [
      { name: 'get', summary: 'show a conversation’s recording (--output-file to save the WAV)', load: () => import('./recording/get.js') },
      { name: 'upload', summary: 'upload a recording file (for `vn recording save`)', load: () => import('./recording/upload.js') },
      { name: 'save', summary: 'register a recording for a conversation', load: () => import('./recording/save.js') },
      { name: 'url', summary: 'get a download URL for a download task’s file', load: () => import('./recording/url.js') },
    ],
  },
  {
    name: 'configure',
    summary: 'credential profiles: set up, list, switch, import from the aliyun CLI',
    default: { name: 'interactive', summary: 'set up a profile interactively', load: () => import('./configure/interactive.js') },
    verbs: [
      { name: 'set', summary: 'create or update a profile (the secret is read from stdin when piped)', load: () => import('./configure/set.js') },
      { name: 'list', aliases: ['ls'], summary: 'list profiles (secrets masked)', load: () => import('./configure/list.js') },
      { name: 'get', summary: 'print one setting of a profile', load: () => import('./configure/get.js') },
      { name: 'use', summary: 'make a profile the current one', load: () => import('./configure/use.js') },
      { name: 'delete', aliases: ['rm'], summary: 'delete a profile', load: () => import('./configure/delete.js') },
      {
        name: 'import-aliyun',
        summary: 'import the profiles of ~/.aliyun/config.json (every mode vn supports)',
        load: () => import('./configure/import-aliyun.js'),
      },
      {
        name: 'whoami',
        summary: 'which credentials win, whose they are (STS GetCallerIdentity) and how long they last',
        load: () => import('./configure/whoami.js'),
      },
    ],
  },
  {
    name: 'emulator',
    summary: 'the offline Voice Navigator emulator (also behind --profile local)',
    verbs: [
      { name: 'start', summary: 'run the emulator on a port', load: () => import('./emulator/start.js') },
      { name: 'wait', summary: 'wait until an emulator is ready (exit 1 at the timeout)', load: () => import('./emulator/wait.js') },
      { name: 'reset', summary: "empty a running emulator's state (keys and chatbots stay)", load: () => import('./emulator/reset.js') },
      { name: 'seed', summary: 'copy real instances (a profile) into an emulator', load: () => import('./emulator/seed.js') },
    ],
    groups: [
      {
        name: 'snapshot',
        summary: "save and load an emulator's whole state",
        verbs: [
          { name: 'save', summary: 'save the state to a named snapshot or a file', load: () => import('./emulator/snapshot/save.js') },
          { name: 'load', summary: 'replace the state with a named snapshot or a file', load: () => import('./emulator/snapshot/load.js') },
          { name: 'list', aliases: ['ls'], summary: "list a running emulator's named snapshots", load: () => import('./emulator/snapshot/list.js') },
        ],
      },
      {
        name: 'clock',
        summary: "move a running emulator's virtual clock (--virtual-clock)",
        verbs: [
          { name: 'show', summary: "print the emulator's time", load: () => import('./emulator/clock/show.js') },
          { name: 'advance', summary: 'move the virtual clock forward (30s, 15m, 2h, 1d)', load: () => import('./emulator/clock/advance.js') },
          { name: 'set', summary: 'set the virtual clock to a time', load: () => import('./emulator/clock/set.js') },
        ],
      },
    ],
  },
];

/** Commands directly under `vn`. */
export const TOP_VERBS: VerbEntry[] = [
  { name: 'diff', summary: 'show what differs between a configuration file and the live instances (or two instances)', load: () => import('./diff.js') },
  { name: 'apply', summary: 'make the live instances what a configuration file says (plan, confirm, apply)', load: () => import('./apply.js') },
  { name: 'top', summary: 'watch instances live: calls against the cap, transfer, hang-up and unrecognized rates', load: () => import('./top.js') },
  { name: 'call', summary: 'call any API action by its wire name (vn call --list)', load: () => import('./call.js') },
  { name: 'completion', summary: 'print a shell completion script (bash, zsh, fish)', load: () => import('./completion.js') },
];

/** Finds the deepest registry entry named by the leading positional words. */
export function lookup(words: string[]): { group?: GroupEntry; verb?: VerbEntry; path: string[] } {
  const top = TOP_VERBS.find((v) => v.name === words[0] || v.aliases?.includes(words[0] ?? ''));
  if (top) return { verb: top, path: [top.name] };
  let groups = GROUPS;
  let group: GroupEntry | undefined;
  const path: string[] = [];
  for (const w of words) {
    const g = groups.find((x) => x.name === w);
    if (g) {
      group = g;
      path.push(g.name);
      groups = g.groups ?? [];
      continue;
    }
    if (group) {
      const v = group.verbs.find((x) => x.name === w || x.aliases?.includes(w));
      if (v) return { group, verb: v, path: [...path, v.name] };
    }
    break;
  }
  return { group, verb: undefined, path };
}
