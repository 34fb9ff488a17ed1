import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionName } from '../../src/api/catalog.js';
import { Client } from '../../src/client/client.js';
import { ServiceError } from '../../src/errors.js';
import { startTestEmulator, TEST_KEY, type TestEmulator } from '../helpers/emulator.js';
import { runVn } from '../helpers/run.js';

/**
 * One table of bad values, both sides of the one validator: the CLI refuses each before anything
 * is signed (exit 2, no request in the --debug trace), and the emulator, sent the same wire
 * parameters by a client that skips the checks, answers the seed's InvalidParameter (HTTP 400).
 */
const ID = 'a1b2c3';
const LONG_TEXT = '好'.repeat(301);

interface Case {
  name: string;
  argv: string[];
  message: RegExp;
  /** The same value on the wire (absent: a CLI parsing case with no wire counterpart). */
  wire?: { action: ActionName; params: Record<string, unknown>; param: string };
}

const CASES: Case[] = [
  {
    name: 'a page size over 100',
    argv: ['instance', 'list', '--page-size', '101'],
    message: /--page-size must be an integer from 1 to 100, got 101/,
    wire: { action: 'ListInstances', params: { PageNumber: 1, PageSize: 101 }, param: 'PageSize' },
  },
  {
    name: 'an empty instance name',
    argv: ['instance', 'create', '--name', '', '--concurrency', '1'],
    message: /--name must not be empty/,
    wire: { action: 'CreateInstance', params: { Name: '', Concurrency: 1 }, param: 'Name' },
  },
  {
    name: 'an all-blank instance name',
    argv: ['instance', 'modify', ID, '--name', '   ', '--concurrency', '2'],
    message: /--name must not be empty/,
    wire: { action: 'ModifyInstance', params: { InstanceId: ID, Name: '   ', Concurrency: 2 }, param: 'Name' },
  },
  {
    name: 'a concurrency of 0',
    argv: ['instance', 'create', '--name', 'x', '--concurrency', '0'],
    message: /--concurrency must be an integer of 1 or more, got 0/,
    wire: { action: 'CreateInstance', params: { Name: 'x', Concurrency: 0 }, param: 'Concurrency' },
  },
  {
    name: 'an audition text longer than the API allows',
    argv: ['tts', 'audition', ID, '--text', LONG_TEXT, '--voice', 'xiaoyun', '--speech-rate', '0', '--volume', '50'],
    message: /--text must be at most 300 characters, got 301/,
    wire: { action: 'AuditTTSVoice', params: { InstanceId: ID, Text: LONG_TEXT, Voice: 'xiaoyun', SpeechRate: '0', Volume: '50' }, param: 'Text' },
  },
  {
    name: 'a speech rate out of range',
    argv: ['tts', 'set', ID, '--speech-rate', '501'],
    message: /--speech-rate must be an integer from -500 to 500, got 501/,
    wire: { action: 'ModifyTTSConfig', params: { InstanceId: ID, SpeechRate: '501' }, param: 'SpeechRate' },
  },
  {
    name: 'an empty greeting source type',
    argv: ['ivr', 'set-greeting', ID, '--words', '您好', '--source-type', ''],
    message: /--source-type must not be empty/,
    wire: { action: 'ModifyGreetingConfig', params: { InstanceId: ID, GreetingWords: '您好', SourceType: '' }, param: 'SourceType' },
  },
  {
    name: 'voice slices that are an object, not an array',
    argv: [
      'recording',
      'save',
      ID,
      'conv-1',
      '--file-name',
      'a.wav',
      '--file-path',
      'oss://b/',
      '--duration',
      '10',
      '--start-time',
      '2024-03-01T10:00',
      '--type',
      'Source',
      '--voice-slices',
      '{}',
    ],
    message: /--voice-slices must be a JSON array/,
    wire: {
      action: 'SaveRecording',
      params: {
        InstanceId: ID,
        ConversationId: 'conv-1',
        FileName: 'a.wav',
        FilePath: 'oss://b/',
        Duration: '10',
        StartTime: 1709287200000,
        Type: 'Source',
        VoiceSliceRecordingList: '{}',
      },
      param: 'VoiceSliceRecordingList',
    },
  },
  {
    name: 'an export type the API does not have',
    argv: ['export', 'statistics', ID, '--time-unit', 'day', '--export-type', 'bogus'],
    message: /--export-type must be one of statistical, got "bogus"/,
    wire: { action: 'ExportStatisticalData', params: { InstanceId: ID, TimeUnit: 'Day', ExportType: 'bogus' }, param: 'ExportType' },
  },
  {
    name: 'a final action the API does not have',
    argv: ['call', 'ModifyUnrecognizingConfig', '--InstanceId', ID, '--Prompt', 'p', '--FinalPrompt', 'f', '--FinalAction', 'Transfer', '--Threshold', '3'],
    message: /--FinalAction must be one of TransferToAgent, TransferToIVR, RedirectToPage, HangUp, got "Transfer"/,
    wire: {
      action: 'ModifyUnrecognizingConfig',
      params: { InstanceId: ID, Prompt: 'p', FinalPrompt: 'f', FinalAction: 'Transfer', Threshold: 3 },
      param: 'FinalAction',
    },
  },
  {
    name: 'DTMF digits that are not keypad digits',
    argv: ['call', 'DebugCollectedNumber', '--InstanceId', ID, '--ConversationId', 'c', '--Number', '12a'],
    message: /--Number must be keypad digits \(0-9, \*, #\), got "12a"/,
    wire: { action: 'DebugCollectedNumber', params: { InstanceId: ID, ConversationId: 'c', Number: '12a' }, param: 'Number' },
  },
  {
    name: 'a wire parameter given without its value',
    argv: ['call', 'DescribeInstance', '--InstanceId'],
    message: /--InstanceId needs a value/,
  },
];

let emu: TestEmulator;
let raw: Client;

beforeAll(async () => {
  emu = await startTestEmulator();
  raw = new Client({ endpoint: emu.url, credentials: { accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret }, retries: 0, validate: false });
});
afterAll(async () => emu?.stop());

describe('a bad value is refused on both sides of the one validator', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('the CLI refuses %s: exit 2, one line, nothing sent', async (_name, c) => {
    const traced = await runVn(['--debug', ...c.argv], { env: emu.env });
    expect(traced.code, traced.stderr).toBe(2);
    expect(traced.stderr).not.toMatch(/\[debug\] > (GET|POST) /);
    const r = await runVn(c.argv, { env: emu.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(c.message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each(CASES.filter((c) => c.wire).map((c) => [c.name, c] as const))('the emulator refuses %s with InvalidParameter (400)', async (_name, c) => {
    const w = c.wire as NonNullable<Case['wire']>;
    const err = await raw.call(w.action, w.params).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('InvalidParameter');
    expect((err as ServiceError).httpStatus).toBe(400);
    expect((err as ServiceError).message).toContain(w.param);
  });
});
