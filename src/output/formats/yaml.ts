import { sanitizeDeep } from '../sanitize.js';
import type { Output, FormatterOptions as RenderOptions, RenderTarget } from '../types.js';

export default async function yaml(out: Output, _opts: RenderOptions, target: RenderTarget): Promise<void> {
  const { stringify } = await import('yaml');
  const data = out.data ?? null;
  target.write(stringify(target.isTTY ? sanitizeDeep(data) : data, { lineWidth: 0 }));
}
