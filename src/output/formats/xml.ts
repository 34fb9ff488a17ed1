import { sanitizeText } from '../sanitize.js';
import type { Output, FormatterOptions as RenderOptions, RenderTarget } from '../types.js';

/** The service's raw XML body as it arrived (asked for with Format=XML), else the data as XML. */
export default async function xml(out: Output, _opts: RenderOptions, target: RenderTarget): Promise<void> {
  const body = out.raw !== undefined && /^\s*</.test(out.raw) ? out.raw : (await import('../xml.js')).toXml(out.data, 'Response');
  // network text: on a terminal its control characters are shown, not obeyed (sanitize.ts)
  const text = target.isTTY ? sanitizeText(body) : body;
  target.write(text.endsWith('\n') ? text : `${text}\n`);
}
