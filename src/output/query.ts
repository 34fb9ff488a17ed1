import { QueryAfterCallError, UsageError } from '../errors.js';

type JmesPath = typeof import('@jmespath-community/jmespath');

/**
 * Backtick literals that are not JSON (`Published`) are read as strings, as jmespath.py and the AWS
 * CLI do (the JEP-12 legacy form), so the expressions AWS CLI users write every day work unchanged.
 */
const OPTIONS = { enable_legacy_literals: true };
let jmespath: JmesPath | undefined;

async function load(): Promise<JmesPath> {
  jmespath ??= await import('@jmespath-community/jmespath');
  return jmespath;
}

interface Signature {
  optional?: boolean;
  variadic?: boolean;
}

/** A function's arity from its signature: [required, maximum] (maximum Infinity when variadic). */
function arity(signature: Signature[]): [number, number] {
  const required = signature.filter((s) => !s.optional).length;
  return [required, signature.at(-1)?.variadic ? Number.POSITIVE_INFINITY : signature.length];
}

/** Every function call in a compiled expression (literals are data, not code, and are skipped). */
function functionCalls(node: unknown, out: { name: string; args: number }[] = []): { name: string; args: number }[] {
  if (Array.isArray(node)) {
    for (const n of node) functionCalls(n, out);
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  const n = node as { type?: string; name?: string; children?: unknown[] };
  if (n.type === 'Literal') return out;
  if (n.type === 'Function' && typeof n.name === 'string') out.push({ name: n.name, args: n.children?.length ?? 0 });
  for (const v of Object.values(n)) if (v && typeof v === 'object') functionCalls(v, out);
  return out;
}

/**
 * Checks a JMESPath expression before anything is sent: its syntax, and that every function it
 * calls exists and is given a number of arguments it takes. What only the data can tell (a
 * function given a string where it wants a number) is found after the call, by applyQuery.
 */
export async function checkQuery(expr: string, flag = '--query'): Promise<void> {
  const jp = await load();
  let ast: unknown;
  try {
    ast = jp.compile(expr, OPTIONS);
  } catch (e) {
    throw new UsageError(`invalid ${flag} "${expr}": ${(e as Error).message}`);
  }
  const table = (jp.TreeInterpreter.runtime as unknown as { _functionTable: Record<string, { _signature: Signature[] }> })._functionTable;
  for (const call of functionCalls(ast)) {
    const fn = table[call.name];
    if (!fn) {
      throw new UsageError(`invalid ${flag} "${expr}": unknown function ${call.name}() (JMESPath functions: ${Object.keys(table).sort().join(', ')})`);
    }
    const [min, max] = arity(fn._signature);
    if (call.args < min || call.args > max) {
      const takes = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
      throw new UsageError(`invalid ${flag} "${expr}": ${call.name}() takes ${takes} argument${takes === '1' ? '' : 's'}, not ${call.args}`);
    }
  }
}

/**
 * Applies the expression to an answer that has arrived. A failure here comes after the call was
 * carried out, so it is a QueryAfterCallError (exit 6), never a usage error (exit 2, "nothing sent").
 */
export async function applyQuery(data: unknown, expr: string, flag = '--query'): Promise<unknown> {
  const jp = await load();
  try {
    return jp.search(data as Parameters<JmesPath['search']>[0], expr, OPTIONS);
  } catch (e) {
    const after = flag === '--query' ? '; the result is printed unfiltered (the command was carried out)' : '';
    throw new QueryAfterCallError(`${flag} "${expr}" could not be applied to the result: ${(e as Error).message}${after}`);
  }
}
