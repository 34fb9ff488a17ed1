import type { CredentialProvider, Credentials } from './provider.js';

/** Renew at most this long before an expiry (a request signed now must still be valid when it arrives). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * How long before its expiry a credential of this lifetime is renewed: 5 minutes, or a quarter of
 * its lifetime when that is shorter (a 60-second token from an emulator is renewed after 45 s, not
 * on every request). STS's own tokens last 15 minutes or more.
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.max(0, Math.min(REFRESH_MARGIN_MS, lifetimeMs / 4));
}

export interface RefreshOptions {
  /** Renew this long before the expiry (default: refreshMarginMs of the credential's lifetime). */
  marginMs?: number;
  /** Milliseconds since the epoch (a fake clock in tests). */
  now?: () => number;
  /** What the provider has just yielded (so the first call does not ask it again). */
  initial?: Credentials;
}

/**
 * Caches what a provider yields and asks it again only when the credentials are within `marginMs`
 * of their expiration (credentials without one are kept for good). Concurrent callers share one
 * renewal. When a renewal fails while the old credentials have not yet expired, those are used
 * and the next call tries again.
 */
export class RefreshingProvider implements CredentialProvider {
  readonly name: string;
  private current?: Credentials;
  /** When `current` was obtained (its lifetime sets the default margin). */
  private obtainedAt = 0;
  private pending?: Promise<Credentials>;
  private readonly marginMs?: number;
  private readonly now: () => number;

  constructor(
    readonly inner: CredentialProvider,
    opts: RefreshOptions = {},
  ) {
    this.name = inner.name;
    this.marginMs = opts.marginMs;
    this.now = opts.now ?? Date.now;
    this.current = opts.initial;
    this.obtainedAt = this.now();
  }

  get(): Promise<Credentials> {
    const c = this.current;
    if (c && !this.due(c)) return Promise.resolve(c);
    this.pending ??= this.renew(c).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async renew(old: Credentials | undefined): Promise<Credentials> {
    try {
      const fresh = await this.inner.get();
      this.current = fresh;
      this.obtainedAt = this.now();
      return fresh;
    } catch (err) {
      if (old?.expiration && old.expiration.getTime() > this.now()) return old;
      throw err;
    }
  }

  private due(c: Credentials): boolean {
    if (c.expiration === undefined) return false;
    const margin = this.marginMs ?? refreshMarginMs(c.expiration.getTime() - this.obtainedAt);
    return c.expiration.getTime() - margin <= this.now();
  }
}
