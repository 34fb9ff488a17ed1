import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname } from 'node:path';
import { BOT_ACTIONS } from '../api/bot-actions.js';

/**
 * Chatbot knowledge for the emulator: the built-in demo bank bot, `--chatbots FILE` (YAML or JSON),
 * and the deterministic matcher the dialogue engine asks for a knowledge answer.
 * The rules are documented in docs/emulator.md ("## Chatbots").
 */

/** Actions an intent or a DTMF entry may carry (the navigator's action vocabulary). */
export type BotAction = (typeof BOT_ACTIONS)[number];

export interface Intent {
  name: string;
  /** Example utterances; matching compares the caller's utterance with each of them. */
  examples: string[];
  answer: string;
  action: BotAction;
  /** Stringified JSON object ("{}" when none). */
  params: string;
}

export interface DtmfEntry {
  digits: string;
  answer: string;
  action: BotAction;
  params: string;
}

export interface Chatbot {
  id: string;
  name: string;
  introduction: string;
  languageCode: string;
  timeZone: string;
  avatar: string;
  /** Epoch ms, as ListChatbotInstances reports it. */
  createTime: number;
  /** Lowest similarity score that counts as a match (0..1). */
  threshold: number;
  intents: Intent[];
  dtmf: DtmfEntry[];
}

export interface ChatbotCatalog {
  /** Where the bots came from: the file path, or "built-in". */
  source: string;
  bots: Chatbot[];
}

export const DEFAULT_MATCH_THRESHOLD = 0.5;

/** A chatbot file that cannot be used; the message names the file (and the line when known). */
export class ChatbotFileError extends Error {}

// --- the built-in demo bot -------------------------------------------------------------------

export const DEMO_CHATBOT_ID = 'chatbot-demo-bank';

/** A Chinese-language bank hotline: balance, card loss, opening hours, a loan transfer, a DTMF menu. */
export function demoChatbot(): Chatbot {
  return {
    id: DEMO_CHATBOT_ID,
    name: '银行客服演示机器人',
    introduction: '演示用银行热线：余额查询、银行卡挂失、网点营业时间、贷款咨询，按键菜单 1 余额 2 挂失 3 营业时间 0 人工。',
    languageCode: 'zh-cn',
    timeZone: 'Asia/Shanghai',
    avatar: '',
    // fixed, so listings are stable from run to run
    createTime: Date.UTC(2020, 0, 1),
    threshold: DEFAULT_MATCH_THRESHOLD,
    intents: [
      {
        name: '余额查询',
        examples: ['查余额', '查询余额', '我想查余额', '我想查一下余额', '账户余额', '余额是多少', '卡里还有多少钱', '帮我查下账户'],
        answer: '您可以登录手机银行，在首页“我的账户”中查看账户余额；也可以在按键菜单中按1，输入卡号和密码查询余额。',
        action: 'Broadcast',
        params: '{}',
      },
      {
        name: '银行卡挂失',
        examples: ['挂失', '银行卡挂失', '我要挂失', '卡丢了', '我的卡丢了', '银行卡丢了', '卡被偷了', '补办银行卡'],
        answer: '为了您的资金安全，请尽快挂失：在手机银行“卡片管理”中选择“挂失”即可立即生效，之后携带身份证到任一网点补办新卡。',
        action: 'Broadcast',
        params: '{}',
      },
      {
        name: '营业时间',
        examples: ['营业时间', '网点营业时间', '你们几点开门', '几点下班', '周末营业吗', '银行几点关门'],
        answer: '我行网点营业时间为周一至周五9:00至17:00，部分网点周六、周日9:00至16:00营业，具体以网点公告为准。',
        action: 'Broadcast',
        params: '{}',
      },
      {
        name: '贷款咨询',
        examples: ['贷款', '我想贷款', '办理房贷', '贷款利率是多少', '申请消费贷'],
        answer: '好的，正在为您转接贷款专员，请稍候。',
        action: 'TransferToAgent',
        params: '{"skillGroupId":"loanSkillGroup"}',
      },
      {
        name: '问候',
        examples: ['你好', '您好', '喂'],
        answer: '您好，我是智能客服，可以为您查询余额、办理挂失、查询营业时间。',
        action: 'Broadcast',
        params: '{}',
      },
    ],
    dtmf: [
      { digits: '1', answer: '您选择了余额查询，请输入您的银行卡号，以井号键结束。', action: 'Broadcast', params: '{}' },
      { digits: '2', answer: '您选择了挂失服务，正在为您转接挂失专席。', action: 'TransferToAgent', params: '{"skillGroupId":"cardLossSkillGroup"}' },
      { digits: '3', answer: '您选择了营业时间查询。我行网点营业时间为周一至周五9:00至17:00。', action: 'Broadcast', params: '{}' },
      { digits: '0', answer: '您选择了人工服务，正在为您转接。', action: 'TransferToAgent', params: '{"skillGroupId":"fallbackSkillGroup"}' },
    ],
  };
}

// --- loading a file --------------------------------------------------------------------------

type YamlModule = typeof import('yaml');

/** Position of a path (or of its last key) inside the parsed document, for error messages; '' when unknown. */
type Locate = (path: (string | number)[], atKey?: boolean) => string;

/**
 * Reads and validates a chatbot file. JSON when it ends in .json, YAML otherwise (YAML also reads
 * JSON). Synchronous because emulator handlers are; `yaml` is required lazily, only for YAML files.
 */
export function loadChatbotFile(file: string): ChatbotCatalog {
  let text: string;
  let mtime: number;
  try {
    text = readFileSync(file, 'utf8');
    mtime = Math.floor(statSync(file).mtimeMs);
  } catch (err) {
    throw new ChatbotFileError(`chatbots file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const { data, locate } = extname(file).toLowerCase() === '.json' ? parseJson(file, text) : parseYaml(file, text);
  return { source: file, bots: validateCatalog(data, { file, locate, defaultCreateTime: mtime }) };
}

function parseJson(file: string, text: string): { data: unknown; locate: Locate } {
  try {
    return { data: JSON.parse(text.replace(/^\uFEFF/, '')), locate: () => '' };
  } catch (err) {
    throw new ChatbotFileError(`chatbots file ${file}: not valid JSON (${(err as Error).message})`);
  }
}

function parseYaml(file: string, text: string): { data: unknown; locate: Locate } {
  const yaml = createRequire(import.meta.url)('yaml') as YamlModule;
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const at = first.pos?.[0];
    const pos = at === undefined ? undefined : lineCounter.linePos(at);
    throw new ChatbotFileError(`chatbots file ${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML (${first.message.split('\n')[0]})`);
  }
  const position = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `:${line}:${col}`;
  };
  const locate: Locate = (path, atKey) => {
    if (atKey && path.length > 0) {
      const parent = doc.getIn(path.slice(0, -1), true);
      if (yaml.isMap(parent)) {
        const pair = parent.items.find((item) => yaml.isScalar(item.key) && item.key.value === path[path.length - 1]);
        const range = yaml.isNode(pair?.key) ? pair.key.range : undefined;
        if (range) return position(range[0]);
      }
    }
    // the deepest node that exists on the path: a missing key is reported at its parent
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      const at = node && typeof node === 'object' && node.range ? node.range[0] : undefined;
      if (at !== undefined) return position(at);
    }
    return '';
  };
  return { data: doc.toJS(), locate };
}

const BOT_KEYS = new Set(['id', 'name', 'introduction', 'languageCode', 'timeZone', 'avatar', 'createTime', 'threshold', 'intents', 'dtmf']);
const INTENT_KEYS = new Set(['name', 'examples', 'answer', 'action', 'params']);
const DTMF_KEYS = new Set(['digits', 'answer', 'action', 'params']);

interface ValidateOptions {
  file: string;
  locate: Locate;
  defaultCreateTime: number;
}

/** The file holds `{chatbots: [...]}` or a bare list of bots. Unknown keys are refused (typos). */
export function validateCatalog(data: unknown, opts: ValidateOptions): Chatbot[] {
  const fail: Fail = (path, what, atKey) => {
    const shown = path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
    throw new ChatbotFileError(`chatbots file ${opts.file}${opts.locate(path, atKey)}: ${shown ? `${shown} ` : ''}${what}`);
  };
  let list: unknown;
  let root: (string | number)[];
  if (Array.isArray(data)) {
    list = data;
    root = [];
  } else if (isObject(data) && 'chatbots' in data) {
    const extra = Object.keys(data).filter((k) => k !== 'chatbots');
    if (extra.length) fail([extra[0]!], 'is not a known key (expected only "chatbots")', true);
    list = data.chatbots;
    root = ['chatbots'];
  } else {
    return fail([], 'must be a list of chatbots, or a map with the key "chatbots"');
  }
  if (!Array.isArray(list) || list.length === 0) return fail(root, 'must be a non-empty list of chatbots');
  const ids = new Set<string>();
  return list.map((raw, i) => {
    const at = [...root, i];
    if (!isObject(raw)) return fail(at, 'must be a map');
    unknownKeys(raw, BOT_KEYS, at, fail);
    const id = requiredString(raw, 'id', at, fail);
    if (ids.has(id)) fail([...at, 'id'], `repeats the id "${id}" (ids must be unique)`);
    ids.add(id);
    const threshold = raw.threshold === undefined ? DEFAULT_MATCH_THRESHOLD : raw.threshold;
    if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) fail([...at, 'threshold'], 'must be a number above 0 and at most 1');
    const createTime = raw.createTime === undefined ? opts.defaultCreateTime : raw.createTime;
    if (typeof createTime !== 'number' || !Number.isInteger(createTime) || createTime < 0) fail([...at, 'createTime'], 'must be epoch milliseconds');
    const intentsRaw = raw.intents === undefined ? [] : raw.intents;
    if (!Array.isArray(intentsRaw)) fail([...at, 'intents'], 'must be a list');
    const dtmfRaw = raw.dtmf === undefined ? [] : raw.dtmf;
    if (!Array.isArray(dtmfRaw)) fail([...at, 'dtmf'], 'must be a list');
    const intentNames = new Set<string>();
    const intents = (intentsRaw as unknown[]).map((ir, j): Intent => {
      const iat = [...at, 'intents', j];
      if (!isObject(ir)) return fail(iat, 'must be a map');
      unknownKeys(ir, INTENT_KEYS, iat, fail);
      const name = requiredString(ir, 'name', iat, fail);
      if (intentNames.has(name)) fail([...iat, 'name'], `repeats the intent name "${name}"`);
      intentNames.add(name);
      const examples = ir.examples;
      if (!Array.isArray(examples) || examples.length === 0 || !examples.every((e) => typeof e === 'string' && normalize(e) !== '')) {
        fail([...iat, 'examples'], 'must be a non-empty list of non-empty strings');
      }
      return {
        name,
        examples: examples as string[],
        answer: requiredString(ir, 'answer', iat, fail),
        action: actionOf(ir, iat, fail),
        params: paramsOf(ir, iat, fail),
      };
    });
    const digitsSeen = new Set<string>();
    const dtmf = (dtmfRaw as unknown[]).map((dr, j): DtmfEntry => {
      const dat = [...at, 'dtmf', j];
      if (!isObject(dr)) return fail(dat, 'must be a map');
      unknownKeys(dr, DTMF_KEYS, dat, fail);
      // YAML reads an unquoted 1 as a number: accept it, digits are text
      const digits = typeof dr.digits === 'number' && Number.isInteger(dr.digits) ? String(dr.digits) : dr.digits;
      if (typeof digits !== 'string' || !/^[0-9*#]+$/.test(digits)) fail([...dat, 'digits'], 'must be keypad digits (0-9, *, #)');
      if (digitsSeen.has(digits as string)) fail([...dat, 'digits'], `repeats the digits "${digits}"`);
      digitsSeen.add(digits as string);
      return { digits: digits as string, answer: requiredString(dr, 'answer', dat, fail), action: actionOf(dr, dat, fail), params: paramsOf(dr, dat, fail) };
    });
    return {
      id,
      name: optionalString(raw, 'name', at, fail) ?? id,
      introduction: optionalString(raw, 'introduction', at, fail) ?? '',
      languageCode: optionalString(raw, 'languageCode', at, fail) ?? 'zh-cn',
      timeZone: optionalString(raw, 'timeZone', at, fail) ?? 'Asia/Shanghai',
      avatar: optionalString(raw, 'avatar', at, fail) ?? '',
      createTime: createTime as number,
      threshold: threshold as number,
      intents,
      dtmf,
    };
  });
}

type Fail = (path: (string | number)[], what: string, atKey?: boolean) => never;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(obj: Record<string, unknown>, known: Set<string>, at: (string | number)[], fail: Fail): void {
  for (const k of Object.keys(obj)) if (!known.has(k)) fail([...at, k], `is not a known key (expected one of: ${[...known].join(', ')})`, true);
}

function requiredString(obj: Record<string, unknown>, key: string, at: (string | number)[], fail: Fail): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') return fail([...at, key], 'is required (a non-empty string)');
  return v;
}

function optionalString(obj: Record<string, unknown>, key: string, at: (string | number)[], fail: Fail): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return fail([...at, key], 'must be a string');
  return v;
}

function actionOf(obj: Record<string, unknown>, at: (string | number)[], fail: Fail): BotAction {
  const v = obj.action ?? 'Broadcast';
  if (!BOT_ACTIONS.includes(v as BotAction)) return fail([...at, 'action'], `must be one of ${BOT_ACTIONS.join(', ')}`);
  return v as BotAction;
}

/** params: a map, or a string holding a JSON object; stored as the stringified JSON the API returns. */
function paramsOf(obj: Record<string, unknown>, at: (string | number)[], fail: Fail): string {
  const v = obj.params;
  if (v === undefined || v === null) return '{}';
  if (isObject(v)) return JSON.stringify(v);
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (isObject(parsed)) return JSON.stringify(parsed);
    } catch {
      /* reported below */
    }
  }
  return fail([...at, 'params'], 'must be a map (or a string holding a JSON object)');
}

// --- the catalog of one emulator -------------------------------------------------------------

/** The bots of this emulator: the file's when `chatbotsFile` is set, else the demo bot. */
export function chatbotCatalog(state: { options: { chatbotsFile?: string }; extras: Map<string, unknown> }): ChatbotCatalog {
  const cached = state.extras.get('chatbots') as ChatbotCatalog | undefined;
  if (cached) return cached;
  const file = state.options.chatbotsFile;
  const catalog = file ? loadChatbotFile(file) : { source: 'built-in', bots: [demoChatbot()] };
  state.extras.set('chatbots', catalog);
  return catalog;
}

export function describeSource(catalog: ChatbotCatalog): string {
  return catalog.source === 'built-in' ? 'the built-in demo bot' : basename(catalog.source);
}

// --- matching --------------------------------------------------------------------------------

/**
 * The form utterances are compared in: Unicode NFKC (full-width letters and digits become
 * half-width), lower case, and without white space, punctuation or symbols.
 */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Character bigrams (a one-character text is its own single "bigram"). */
function bigrams(s: string): string[] {
  const chars = [...s];
  if (chars.length < 2) return chars;
  const out: string[] = [];
  for (let i = 0; i < chars.length - 1; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** Sørensen–Dice coefficient over character bigrams (multiset), 0..1. */
export function diceSimilarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.length === 0 || y.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const g of x) counts.set(g, (counts.get(g) ?? 0) + 1);
  let common = 0;
  for (const g of y) {
    const n = counts.get(g) ?? 0;
    if (n > 0) {
      common++;
      counts.set(g, n - 1);
    }
  }
  return (2 * common) / (x.length + y.length);
}

/**
 * Similarity of two normalised texts: 1 when equal; when one (of 2+ characters) contains the
 * other, 0.6 + 0.4 × shorter/longer (so the longer contained example wins); otherwise the bigram
 * Dice coefficient. The larger of the containment score and Dice counts.
 */
export function similarity(a: string, b: string): number {
  if (a === '' || b === '') return 0;
  if (a === b) return 1;
  const la = [...a].length;
  const lb = [...b].length;
  const [short, long, ls, ll] = la <= lb ? [a, b, la, lb] : [b, a, lb, la];
  const contained = ls >= 2 && long.includes(short) ? 0.6 + (0.4 * ls) / ll : 0;
  return Math.max(contained, diceSimilarity(a, b));
}

export interface IntentMatch {
  intent: Intent;
  score: number;
  example: string;
}

/** The best intent at or above the bot's threshold; ties go to the intent listed first. */
export function matchIntent(bot: Chatbot, utterance: string): IntentMatch | undefined {
  return matchNormalized(bot, normalize(utterance));
}

/** matchIntent for an utterance already normalised (the engine normalises it once per turn). */
export function matchNormalized(bot: Chatbot, u: string): IntentMatch | undefined {
  if (u === '') return undefined;
  const probe = prepareText(u);
  let best: IntentMatch | undefined;
  for (const { intent, examples } of preparedIntents(bot)) {
    for (const example of examples) {
      const score = preparedSimilarity(probe, example);
      if (score >= bot.threshold && (!best || score > best.score)) best = { intent, score, example: example.text };
    }
  }
  return best;
}

/** A normalised text with what similarity() derives from it, computed once. */
interface PreparedText {
  text: string;
  /** Length in code points. */
  length: number;
  /** Bigram multiset (bigrams() of the text, counted). */
  grams: Map<string, number>;
  gramCount: number;
}

function prepareText(text: string): PreparedText {
  const list = bigrams(text);
  const grams = new Map<string, number>();
  for (const g of list) grams.set(g, (grams.get(g) ?? 0) + 1);
  return { text, length: [...text].length, grams, gramCount: list.length };
}

/**
 * Each bot's examples normalised and split into bigrams once, not on every utterance
 * (bench/emulator). Bots are not changed once loaded: the catalog is built once per emulator.
 */
const preparedBots = new WeakMap<Chatbot, { intent: Intent; examples: PreparedText[] }[]>();

function preparedIntents(bot: Chatbot): { intent: Intent; examples: PreparedText[] }[] {
  let prepared = preparedBots.get(bot);
  if (!prepared) {
    prepared = bot.intents.map((intent) => ({ intent, examples: intent.examples.map((e) => prepareText(normalize(e))) }));
    preparedBots.set(bot, prepared);
  }
  return prepared;
}

/** similarity(a.text, b.text), from the prepared forms: the same arithmetic, so the same score. */
function preparedSimilarity(a: PreparedText, b: PreparedText): number {
  if (a.text === '' || b.text === '') return 0;
  if (a.text === b.text) return 1;
  const aIsShort = a.length <= b.length;
  const short = aIsShort ? a : b;
  const long = aIsShort ? b : a;
  const contained = short.length >= 2 && long.text.includes(short.text) ? 0.6 + (0.4 * short.length) / long.length : 0;
  return Math.max(contained, preparedDice(a, b));
}

function preparedDice(a: PreparedText, b: PreparedText): number {
  if (a.gramCount === 0 || b.gramCount === 0) return 0;
  // the multiset intersection: what diceSimilarity counts by crossing off b's bigrams in a's counts
  let common = 0;
  for (const [g, n] of b.grams) {
    const m = a.grams.get(g);
    if (m !== undefined) common += Math.min(m, n);
  }
  return (2 * common) / (a.gramCount + b.gramCount);
}

/** The DTMF entry for exactly these digits (after trimming spaces). */
export function matchDtmf(bot: Chatbot, digits: string): DtmfEntry | undefined {
  const d = digits.replace(/\s+/g, '');
  return bot.dtmf.find((e) => e.digits === d);
}
