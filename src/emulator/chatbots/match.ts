import type { Chatbot, DtmfEntry, Intent } from './model.js';

/** The deterministic matcher the dialogue engine asks for a knowledge answer or a DTMF entry. */

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
