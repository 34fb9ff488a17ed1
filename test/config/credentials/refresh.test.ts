import { describe, expect, it } from 'vitest';
import type { CredentialProvider, Credentials } from '../../../src/client/credentials.js';
import { RefreshingProvider } from '../../../src/config/credentials/refresh.js';

/** A provider that issues numbered credentials valid for `ttlMs` on the fake clock; `hold` keeps its answers back. */
function issuer(clock: { t: number }, ttlMs: number) {
  const state: { calls: number; fail?: Error } = { calls: 0 };
  let gate: Promise<void> | undefined;
  let open = () => {};
  const provider: CredentialProvider = {
    name: 'issuer',
    async get(): Promise<Credentials> {
      const n = ++state.calls;
      if (gate) await gate;
      if (state.fail) throw state.fail;
      return { accessKeyId: `AK${n}`, accessKeySecret: 'S', expiration: new Date(clock.t + ttlMs) };
    },
  };
  const hold = () => {
    gate = new Promise<void>((r) => {
      open = () => {
        gate = undefined;
        r();
      };
    });
  };
  return { provider, state, hold, release: () => open() };
}

describe('RefreshingProvider', () => {
  it('keeps credentials until the margin before their expiry, then renews', async () => {
    const clock = { t: 1_000_000 };
    const { provider, state } = issuer(clock, 60_000);
    const r = new RefreshingProvider(provider, { marginMs: 10_000, now: () => clock.t });
    expect((await r.get()).accessKeyId).toBe('AK1');
    clock.t += 49_999; // 10.001 s before expiry: still good
    expect((await r.get()).accessKeyId).toBe('AK1');
    clock.t += 1; // exactly the margin before expiry: renewed
    expect((await r.get()).accessKeyId).toBe('AK2');
    expect(state.calls).toBe(2);
  });

  it('keeps credentials without an expiration for good', async () => {
    let calls = 0;
    const r = new RefreshingProvider({ name: 'fixed', get: async () => ({ accessKeyId: `A${++calls}`, accessKeySecret: 'S' }) }, { now: () => 1e15 });
    await r.get();
    await r.get();
    expect(calls).toBe(1);
  });

  it('concurrent callers share one renewal', async () => {
    const clock = { t: 0 };
    const { provider, state, hold, release } = issuer(clock, 60_000);
    const r = new RefreshingProvider(provider, { marginMs: 5_000, now: () => clock.t });
    hold();
    const first = Promise.all([r.get(), r.get(), r.get()]);
    await Promise.resolve();
    expect(state.calls).toBe(1); // the others wait for the one in flight
    release();
    expect((await first).map((c) => c.accessKeyId)).toEqual(['AK1', 'AK1', 'AK1']);
    clock.t = 56_000; // inside the margin
    hold();
    const again = Promise.all([r.get(), r.get()]);
    release();
    expect((await again).map((c) => c.accessKeyId)).toEqual(['AK2', 'AK2']);
    expect(state.calls).toBe(2);
  });

  it('a failed renewal keeps credentials that have not expired yet, and fails once they have', async () => {
    const clock = { t: 0 };
    const { provider, state } = issuer(clock, 60_000);
    const r = new RefreshingProvider(provider, { marginMs: 10_000, now: () => clock.t });
    await r.get();
    state.fail = new Error('metadata service down');
    clock.t = 55_000;
    expect((await r.get()).accessKeyId).toBe('AK1');
    clock.t = 60_000;
    await expect(r.get()).rejects.toThrow('metadata service down');
    state.fail = undefined;
    expect((await r.get()).accessKeyId).toBe('AK4');
  });

  it('starts from the credentials it is given, without asking again', async () => {
    let calls = 0;
    const r = new RefreshingProvider(
      { name: 'x', get: async () => ({ accessKeyId: `A${++calls}`, accessKeySecret: 'S' }) },
      { initial: { accessKeyId: 'A0', accessKeySecret: 'S' } },
    );
    expect((await r.get()).accessKeyId).toBe('A0');
    expect(calls).toBe(0);
  });
});
