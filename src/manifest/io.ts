import type { ActionName, Params } from '../api/catalog.js';
import { UsageError } from '../errors.js';
import type { OutputFormat } from '../output/formats/index.js';
import type { IOStreams } from '../output/iostreams.js';
import type { Output, RenderTarget } from '../output/types.js';
import type { ApiCaller } from '../ports.js';
import type { Api } from './live.js';

/** The manifest code's way to the service, on the shell's API caller: the catalog's validator, the signer, retries. */
export function apiFor(call: ApiCaller): Api {
  // the manifest builds requests from the catalog's parameter lists at run time, so their types are
  // checked by the validator (manifest/validate.ts, then the client) rather than by the compiler
  const typed = <A extends ActionName>(params: Record<string, unknown>) => params as unknown as Params<A>;
  return {
    async call(action, params) {
      return (await call(action, typed(params), { format: 'JSON' })).data as unknown as Record<string, unknown>;
    },
    async callAll(action, params) {
      return (await call(action, typed(params), { all: true })).data as unknown as Record<string, unknown>;
    },
  };
}

/** The configuration file's text and the name its messages use; `-` is stdin. */
export async function readConfigText(io: Pick<IOStreams, 'readStdin'>, path: string): Promise<{ name: string; text: string }> {
  if (path === '-') {
    return { name: '<stdin>', text: await io.readStdin() };
  }
  const { readFile } = await import('node:fs/promises');
  try {
    return { name: path, text: await readFile(path, 'utf8') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
}

/**
 * Diffs and plans read as text by default, on a terminal and in a pipe alike (coloured only on a
 * terminal); `-o json` or `--query` give the data.
 */
export async function renderText(out: Output, asked: { output?: OutputFormat; query?: string }, target: RenderTarget): Promise<void> {
  const { render } = await import('../output/render.js');
  const format = asked.output ?? (asked.query ? 'json' : 'table');
  await render(out, { format, query: asked.query }, target);
}
