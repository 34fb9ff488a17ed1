import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname } from 'node:path';
import { BOT_ACTIONS } from '../../api/bot-actions.js';
import { demoChatbot } from './demo.js';
import { normalize } from './match.js';
import { type BotAction, type Chatbot, type ChatbotCatalog, ChatbotFileError, DEFAULT_MATCH_THRESHOLD, type DtmfEntry, type Intent } from './model.js';

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
  const isJson = extname(file).toLowerCase() === '.json';
  const { data, locate } = isJson ? parseJson(file, text) : parseYaml(file, text);
  return { source: file, bots: validateCatalog(data, { file, locate, defaultCreateTime: mtime }) };
}

function parseJson(file: string, text: string): { data: unknown; locate: Locate } {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ChatbotFileError(`chatbots file ${file}: not valid JSON (${(err as Error).message})`);
  }
  // JSON is YAML: the same document gives each problem its line and column (JSON.parse allows a
  // repeated key, so the YAML reading does too here)
  try {
    return { data, locate: parseYaml(file, text, { uniqueKeys: false }).locate };
  } catch {
    return { data, locate: () => '' }; // valid JSON that YAML cannot read: problems without a place
  }
}

function parseYaml(file: string, text: string, opts: { uniqueKeys?: boolean } = {}): { data: unknown; locate: Locate } {
  const yaml = createRequire(import.meta.url)('yaml') as YamlModule;
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: opts.uniqueKeys ?? true });
  if (doc.errors.length) {
    throw new ChatbotFileError(
      doc.errors.map((e) => {
        const at = e.pos?.[0];
        const pos = at === undefined ? undefined : lineCounter.linePos(at);
        return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML (${e.message.split('\n')[0]})`;
      }),
    );
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

/**
 * The file holds `{chatbots: [...]}` or a bare list of bots. Unknown keys are refused (typos).
 * Every problem is reported (one line each, in the file's order), not only the first.
 */
export function validateCatalog(data: unknown, opts: ValidateOptions): Chatbot[] {
  const problems: { line: number; col: number; text: string }[] = [];
  const fail: Fail = (path, what, atKey) => {
    const shown = path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
    const at = opts.locate(path, atKey);
    const [, line, col] = /^:(\d+):(\d+)$/.exec(at) ?? [];
    problems.push({ line: Number(line ?? 0), col: Number(col ?? 0), text: `${opts.file}${at}: ${shown ? `${shown} ` : ''}${what}` });
  };
  const bots = readCatalog(data, opts, fail);
  if (problems.length) {
    throw new ChatbotFileError(problems.sort((a, b) => a.line - b.line || a.col - b.col).map((p) => p.text));
  }
  return bots;
}

function readCatalog(data: unknown, opts: ValidateOptions, fail: Fail): Chatbot[] {
  let list: unknown;
  let root: (string | number)[];
  if (Array.isArray(data)) {
    list = data;
    root = [];
  } else if (isObject(data) && 'chatbots' in data) {
    for (const k of Object.keys(data)) if (k !== 'chatbots') fail([k], 'is not a known key (expected only "chatbots")', true);
    list = data.chatbots;
    root = ['chatbots'];
  } else {
    fail([], 'must be a list of chatbots, or a map with the key "chatbots"');
    return [];
  }
  if (!Array.isArray(list) || list.length === 0) {
    fail(root, 'must be a non-empty list of chatbots');
    return [];
  }
  const ids = new Set<string>();
  const bots: Chatbot[] = [];
  list.forEach((raw, i) => {
    const at = [...root, i];
    if (!isObject(raw)) {
      fail(at, 'must be a map');
      return;
    }
    unknownKeys(raw, BOT_KEYS, at, fail);
    const id = requiredString(raw, 'id', at, fail);
    if (id && ids.has(id)) fail([...at, 'id'], `repeats the id "${id}" (ids must be unique)`);
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
    const intents: Intent[] = [];
    (Array.isArray(intentsRaw) ? intentsRaw : []).forEach((ir: unknown, j) => {
      const iat = [...at, 'intents', j];
      if (!isObject(ir)) {
        fail(iat, 'must be a map');
        return;
      }
      unknownKeys(ir, INTENT_KEYS, iat, fail);
      const name = requiredString(ir, 'name', iat, fail);
      if (name && intentNames.has(name)) fail([...iat, 'name'], `repeats the intent name "${name}"`);
      intentNames.add(name);
      const examples = ir.examples;
      if (!Array.isArray(examples) || examples.length === 0 || !examples.every((e) => typeof e === 'string' && normalize(e) !== '')) {
        fail([...iat, 'examples'], 'must be a non-empty list of non-empty strings');
      }
      intents.push({
        name,
        examples: examples as string[],
        answer: requiredString(ir, 'answer', iat, fail),
        action: actionOf(ir, iat, fail),
        params: paramsOf(ir, iat, fail),
      });
    });
    const digitsSeen = new Set<string>();
    const dtmf: DtmfEntry[] = [];
    (Array.isArray(dtmfRaw) ? dtmfRaw : []).forEach((dr: unknown, j) => {
      const dat = [...at, 'dtmf', j];
      if (!isObject(dr)) {
        fail(dat, 'must be a map');
        return;
      }
      unknownKeys(dr, DTMF_KEYS, dat, fail);
      // YAML reads an unquoted 1 as a number: accept it, digits are text
      const digits = typeof dr.digits === 'number' && Number.isInteger(dr.digits) ? String(dr.digits) : dr.digits;
      if (typeof digits !== 'string' || !/^[0-9*#]+$/.test(digits)) fail([...dat, 'digits'], 'must be keypad digits (0-9, *, #)');
      else if (digitsSeen.has(digits)) fail([...dat, 'digits'], `repeats the digits "${digits}"`);
      digitsSeen.add(String(digits));
      dtmf.push({ digits: String(digits), answer: requiredString(dr, 'answer', dat, fail), action: actionOf(dr, dat, fail), params: paramsOf(dr, dat, fail) });
    });
    bots.push({
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
    });
  });
  return bots;
}

/** Records a problem at a path; the reading goes on, so that every problem is reported. */
type Fail = (path: (string | number)[], what: string, atKey?: boolean) => void;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(obj: Record<string, unknown>, known: Set<string>, at: (string | number)[], fail: Fail): void {
  for (const k of Object.keys(obj)) if (!known.has(k)) fail([...at, k], `is not a known key (expected one of: ${[...known].join(', ')})`, true);
}

/** The value, or '' after reporting it (a reported file is never used). */
function requiredString(obj: Record<string, unknown>, key: string, at: (string | number)[], fail: Fail): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') {
    fail([...at, key], 'is required (a non-empty string)');
    return '';
  }
  return v;
}

function optionalString(obj: Record<string, unknown>, key: string, at: (string | number)[], fail: Fail): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    fail([...at, key], 'must be a string');
    return undefined;
  }
  return v;
}

function actionOf(obj: Record<string, unknown>, at: (string | number)[], fail: Fail): BotAction {
  const v = obj.action ?? 'Broadcast';
  if (!BOT_ACTIONS.includes(v as BotAction)) fail([...at, 'action'], `must be one of ${BOT_ACTIONS.join(', ')}`);
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
  fail([...at, 'params'], 'must be a map (or a string holding a JSON object)');
  return '{}';
}

// --- the catalog of one emulator -------------------------------------------------------------

/** The bots of this emulator: the file's when `chatbotsFile` is set, else the demo bot. */
export function chatbotCatalog(state: { options: { chatbotsFile?: string }; chatbots?: ChatbotCatalog }): ChatbotCatalog {
  if (state.chatbots) return state.chatbots;
  const file = state.options.chatbotsFile;
  const catalog = file ? loadChatbotFile(file) : { source: 'built-in', bots: [demoChatbot()] };
  state.chatbots = catalog;
  return catalog;
}

export function describeSource(catalog: ChatbotCatalog): string {
  return catalog.source === 'built-in' ? 'the built-in demo bot' : basename(catalog.source);
}
