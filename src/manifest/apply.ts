import { NetworkError, ServiceError, VnError } from '../errors.js';
import { type Api, type InstanceSummary, readInstance } from './live.js';
import type { DesiredInstance } from './load.js';
import { type Call, callsFor, checkCalls, type InstancePlan, wanted } from './plan.js';

export interface AppliedCall {
  instance: string;
  instanceId?: string;
  action: string;
}

export interface ApplyResult {
  applied: AppliedCall[];
  created: { name: string; instanceId: string }[];
}

/** An apply that stopped part-way: what was done and what remains are on stderr already. Exit 1. */
export class ApplyStopped extends VnError {
  override readonly exitCode = 1;
  override name = 'ApplyStopped';
  constructor(
    message: string,
    readonly applied: AppliedCall[],
    readonly remaining: string[],
  ) {
    super(message);
  }
}

/** Calls the plan's writes in order; stops at the first error (see ApplyStopped). */
export async function executePlan(api: Api, plans: InstancePlan[], log: (line: string) => void): Promise<ApplyResult> {
  const result: ApplyResult = { applied: [], created: [] };
  const todo = plans.filter((p) => p.action !== 'unchanged');
  for (let pi = 0; pi < todo.length; pi++) {
    const p = todo[pi] as InstancePlan;
    const d = p.desired;
    let calls: Call[] = p.calls;
    let id = p.live?.id;
    let i = 0;
    const stop = (what: string): never => {
      const remaining = [
        ...calls.slice(i).map((c) => `${c.action} for "${d.name}"`),
        ...todo.slice(pi + 1).map((q) => `${q.action} "${q.desired.name}" (${q.calls.length} call${q.calls.length === 1 ? '' : 's'})`),
      ];
      log(`applied: ${result.applied.length ? result.applied.map((a) => `${a.action} for "${a.instance}"`).join(', ') : 'nothing'}`);
      log(`not applied: ${remaining.join(', ') || 'nothing'}`);
      throw new ApplyStopped(`${what} — the apply stopped; run it again to go on from where it is`, result.applied, remaining);
    };
    if (p.action === 'create') {
      const [create, ...planned] = calls as [Call, ...Call[]];
      try {
        const res = await api.call(create.action, create.params);
        id = String(res.InstanceId ?? '');
      } catch (err) {
        calls = planned;
        if (uncertain(err)) {
          // never re-sent: a second instance of the same name must not come of it
          stop(`CreateInstance for "${d.name}" may have been carried out (${cause(err)}), so it was not re-sent; the next apply finds "${d.name}" by name`);
        }
        calls = p.calls;
        stop(`CreateInstance for "${d.name}" failed: ${describe(err)}`);
      }
      result.created.push({ name: d.name, instanceId: id as string });
      result.applied.push({ instance: d.name, instanceId: id, action: create.action });
      log(`created "${d.name}" (${id})`);
      calls = planned;
      try {
        calls = await configureNew(api, d, id as string);
      } catch (err) {
        stop(`reading the new instance "${d.name}" failed: ${describe(err)}`);
      }
    }
    for (i = 0; i < calls.length; i++) {
      const c = calls[i] as Call;
      try {
        await api.call(c.action, c.params);
      } catch (err) {
        stop(`${c.action} for "${d.name}" failed: ${describe(err)}`);
      }
      result.applied.push({ instance: d.name, instanceId: id, action: c.action });
      log(`${c.action} for "${d.name}"`);
    }
  }
  return result;
}

/**
 * After CreateInstance: what the new instance starts with, and the planned writes made against it
 * (the same writes as the plan's, `fresh`: their parameters complete with the instance's values).
 */
async function configureNew(api: Api, d: DesiredInstance, id: string): Promise<Call[]> {
  const summary = (await api.call('DescribeInstance', { InstanceId: id })) as unknown as InstanceSummary;
  const live = await readInstance(api, { ...summary, InstanceId: id }, wanted(d));
  const calls = callsFor(d, live, { associateChatbot: true, fresh: true });
  checkCalls([{ desired: d, live, action: 'update', changes: [], calls, notes: [] }]);
  return calls;
}

/** A change that may have reached the service: a lost answer, or a server error after it arrived. */
function uncertain(err: unknown): boolean {
  if (err instanceof NetworkError) return err.maybeDelivered;
  if (err instanceof ServiceError) return err.httpStatus >= 500 && !/^Throttling/.test(err.code) && err.httpStatus !== 503;
  return false;
}

/** What went wrong, without the client's own advice about re-sending (the apply gives its own). */
function cause(err: unknown): string {
  if (err instanceof NetworkError && err.cause instanceof Error) return err.cause.message;
  return describe(err);
}

function describe(err: unknown): string {
  if (err instanceof ServiceError) {
    return `${err.code}: ${err.message || '(no message)'} (HTTP ${err.httpStatus}${err.requestId ? `, RequestId: ${err.requestId}` : ''})`;
  }
  return (err as Error)?.message ?? String(err);
}
