import { escapeJsonControls } from '../sanitize.js';
import type { Output, FormatterOptions as RenderOptions, RenderTarget } from '../types.js';

/** One rule: indented on a terminal, one compact line when piped (with or without --query). */
export default function json(out: Output, _opts: RenderOptions, target: RenderTarget): void {
  const text = target.isTTY ? JSON.stringify(out.data ?? null, null, 2) : JSON.stringify(out.data ?? null);
  target.write(`${escapeJsonControls(text ?? 'null')}\n`);
}
