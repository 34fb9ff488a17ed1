import { dirname, join } from 'node:path';
import { API_VERSION } from '../../api/catalog.js';
import { VERSION } from '../../version.js';
import { ChaosRuleError, checkRule, ruleJson } from '../chaos.js';
import { ClockError, parseDuration } from '../clock.js';
import { checkSnapshot, listSnapshots, loadSnapshot, readSnapshotFile, SnapshotError, saveNamedSnapshot, snapshotFile, takeSnapshot } from '../snapshot.js';
import { AdminError, type AdminHandler, type AdminRequest, adminRoutes } from './router.js';

/** The built-in /_vn/ endpoints: health, reset, chaos, clock, snapshots (docs/emulator.md, "Service endpoints"). */

export const index: AdminHandler = () => ({ body: { endpoints: adminRoutes() } });

export const health: AdminHandler = ({ env }) => ({
  status: env.readiness.ready ? 200 : 503,
  body: {
    ready: env.readiness.ready,
    status: env.readiness.ready ? 'ok' : 'starting',
    version: VERSION,
    apiVersion: API_VERSION,
    url: env.state.baseUrl,
    uptimeSeconds: Math.round((env.clock.wallNow() - env.startedAt) / 1000),
    stateFile: env.options.dataFile,
    virtualClock: env.clock.virtual,
    now: new Date(env.clock.now()).toISOString(),
  },
});

/** Empties the state (instances, conversations, exports, recordings, uploads…); the keys, the chatbots and the fault rules stay. */
export const reset: AdminHandler = ({ env }) => {
  env.state.store.tables.reset();
  return { body: { reset: true } };
};

// --- chaos --------------------------------------------------------------------------------------

function rulesOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && Array.isArray((body as { rules?: unknown }).rules)) return (body as { rules: unknown[] }).rules;
  if (body && typeof body === 'object' && Object.keys(body).length > 0) return [body];
  throw new AdminError(400, 'give a rule, a list of rules, or {"rules": [...]}');
}

function checked(list: unknown[]) {
  try {
    return list.map((r, i) => checkRule(r, `rule ${i + 1}`));
  } catch (e) {
    if (e instanceof ChaosRuleError) throw new AdminError(400, e.message, 'InvalidRule');
    throw e;
  }
}

export const chaosList: AdminHandler = ({ env }) => ({ body: { rules: env.chaos.rules.map(ruleJson) } });

/** PUT replaces every rule; POST adds. */
export const chaosSet: AdminHandler = async (r) => {
  const rules = checked(rulesOf(await r.json()));
  const added = r.method === 'PUT' ? r.env.chaos.replace(rules) : r.env.chaos.add(rules);
  return { status: r.method === 'PUT' ? 200 : 201, body: { added: added.map(ruleJson), rules: r.env.chaos.rules.map(ruleJson) } };
};

/** DELETE /_vn/chaos clears them all; DELETE /_vn/chaos/ID one. */
export const chaosDelete: AdminHandler = ({ env, rest }) => {
  if (rest === '') env.chaos.clear();
  else if (!env.chaos.remove(rest)) throw new AdminError(404, `no chaos rule ${rest}`, 'NotFound');
  return { body: { rules: env.chaos.rules.map(ruleJson) } };
};

// --- clock --------------------------------------------------------------------------------------

function clockBody(r: AdminRequest) {
  const c = r.env.clock;
  return { virtual: c.virtual, now: new Date(c.now()).toISOString(), epochMs: c.now(), offsetMs: c.offsetMs() };
}

export const clockGet: AdminHandler = (r) => ({ body: clockBody(r) });

/** {"advance": "30s" | ms} or {"set": ISO time}. */
export const clockMove: AdminHandler = async (r) => {
  const body = (await r.json()) as { advance?: unknown; set?: unknown };
  try {
    if (body.advance !== undefined && body.set === undefined) {
      const ms = typeof body.advance === 'number' ? body.advance : typeof body.advance === 'string' ? parseDuration(body.advance) : undefined;
      if (ms === undefined) throw new AdminError(400, 'advance is a duration: 30s, 15m, 2h, 1d, 1h30m, or a number of ms');
      r.env.clock.advance(ms);
    } else if (body.set !== undefined && body.advance === undefined) {
      const t = typeof body.set === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(body.set) ? Date.parse(body.set) : Number.NaN;
      if (!Number.isFinite(t)) throw new AdminError(400, 'set is an ISO 8601 time (e.g. 2030-01-01T09:00:00Z)');
      r.env.clock.set(t);
    } else throw new AdminError(400, 'give {"advance": "30s"} or {"set": "2030-01-01T09:00:00Z"}');
  } catch (e) {
    if (e instanceof ClockError) throw new AdminError(409, e.message, 'ClockNotVirtual');
    throw e;
  }
  return { body: clockBody(r) };
};

// --- snapshots ----------------------------------------------------------------------------------

/** Where named snapshots live: --snapshot-dir, else snapshots/ beside the data file. */
export function snapshotDirOf(opts: { snapshotDir?: string; dataFile: string }): string | undefined {
  if (opts.snapshotDir) return opts.snapshotDir;
  return opts.dataFile === ':memory:' ? undefined : join(dirname(opts.dataFile), 'snapshots');
}

function dirOf(r: AdminRequest): string {
  const dir = snapshotDirOf(r.env.options);
  if (!dir)
    throw new AdminError(
      409,
      'named snapshots need a directory: this emulator keeps its state in memory; start it with --snapshot-dir DIR, or save to a file',
      'NoSnapshotDir',
    );
  return dir;
}

function snapshotFailure(e: unknown): never {
  if (e instanceof SnapshotError) throw new AdminError(400, e.message, 'InvalidSnapshot');
  throw e;
}

export const snapshotsList: AdminHandler = async (r) => {
  const dir = snapshotDirOf(r.env.options);
  return { body: { dir: dir ?? null, snapshots: dir ? await listSnapshots(dir) : [] } };
};

/** {"name": N}: saved under the name; without a name the snapshot itself is the answer (`vn emulator snapshot save FILE`). */
export const snapshotSave: AdminHandler = async (r) => {
  const { name } = (await r.json()) as { name?: unknown };
  if (name !== undefined && typeof name !== 'string') throw new AdminError(400, 'name is a string');
  const snap = takeSnapshot(r.env.state.store, r.env.clock.now());
  if (name === undefined) return { body: snap };
  try {
    const file = await saveNamedSnapshot(dirOf(r), name, snap);
    return { status: 201, body: { saved: name, file } };
  } catch (e) {
    return snapshotFailure(e);
  }
};

/** {"name": N} loads a named snapshot; {"snapshot": {...}} the one in the body. */
export const snapshotLoad: AdminHandler = async (r) => {
  const { name, snapshot } = (await r.json()) as { name?: unknown; snapshot?: unknown };
  try {
    let snap: ReturnType<typeof checkSnapshot>;
    if (typeof name === 'string' && snapshot === undefined) snap = await readSnapshotFile(snapshotFile(dirOf(r), name), `snapshot "${name}"`);
    else if (snapshot !== undefined && name === undefined) snap = checkSnapshot(snapshot, 'the snapshot');
    else throw new AdminError(400, 'give {"name": "NAME"} or {"snapshot": {...}}');
    await loadSnapshot(r.env.state.store, snap);
    return { body: { loaded: name ?? true, schemaVersion: snap.schemaVersion, createdAt: snap.createdAt } };
  } catch (e) {
    return snapshotFailure(e);
  }
};
