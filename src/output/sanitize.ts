/**
 * The one sanitiser for text that came from the network (a service's error message, a bot's
 * answer, a table cell, a raw body). Such text is untrusted: an ANSI/OSC escape in it could
 * retitle the terminal, write the clipboard, move the cursor over earlier lines, and a carriage
 * return or a bidirectional override can hide what precedes it. Control characters are shown as
 * visible escapes (`\x1b`, `\r`, `\u202e`) so nothing is lost and nothing is obeyed.
 */

// C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and the
// bidirectional embeddings, overrides and isolates ("Trojan Source")
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this module is for
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this module is for
const UNSAFE_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t', '\u001b': '\\x1b' };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

export interface SanitizeOptions {
  /** Keep newlines and tabs as they are (multi-line cells, views); default true. */
  newlines?: boolean;
}

/** The text with every control character neutralised (newlines and tabs kept unless told). */
export function sanitizeText(s: string, opts: SanitizeOptions = {}): string {
  const re = opts.newlines === false ? UNSAFE_OR_NEWLINE : UNSAFE;
  re.lastIndex = 0;
  if (!re.test(s)) return s;
  re.lastIndex = 0;
  return s.replace(re, visible);
}

/** One line: every control character, newlines included, neutralised (for error messages). */
export function sanitizeLine(s: string): string {
  return sanitizeText(s, { newlines: false });
}

/** A copy of a parsed response with every string (keys too) sanitised; other values unchanged. */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitizeText(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const s = sanitizeDeep(v);
      if (s !== v) changed = true;
      return s;
    });
    return (changed ? out : value) as T;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sk = sanitizeText(k);
      const sv = sanitizeDeep(v);
      if (sk !== k || sv !== v) changed = true;
      out[sk] = sv;
    }
    return (changed ? out : value) as T;
  }
  return value;
}

// JSON.stringify escapes C0 but leaves DEL, C1 and the bidi controls raw: escape those as \uXXXX,
// which keeps the JSON valid and its data the same
const JSON_UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** JSON text safe for a terminal, with the same data. */
export function escapeJsonControls(json: string): string {
  JSON_UNSAFE.lastIndex = 0;
  if (!JSON_UNSAFE.test(json)) return json;
  JSON_UNSAFE.lastIndex = 0;
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// our own colours (SGR: ESC [ params m) are the only escapes vn writes through ctx.out/ctx.err
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this module is for
const SGR = /\u001b\[[0-9;:]*m/y;

/**
 * The last net before a terminal: text about to be written to a TTY keeps vn's own colour codes
 * and loses every other control sequence (network text is sanitised earlier, in render and in
 * the error printer; this catches what reached ctx.out by another path).
 */
export function terminalSafe(s: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\u001b') {
      SGR.lastIndex = i;
      const m = SGR.exec(s);
      if (m) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    UNSAFE.lastIndex = 0;
    out += UNSAFE.test(c) ? visible(c) : c;
  }
  return out;
}
