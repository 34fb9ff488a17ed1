import type { CredentialProvider, Credentials } from './provider.js';

export interface RefreshOptions {
  /** Renew this long before the expiry (default 5 minutes: a request signed now must still be valid when it arrives). */
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
  private pending?: Promise<Credentials>;
  private readonly marginMs: number;
  private readonly now: () => number;

  constructor(
    readonly inner: CredentialProvider,
    opts: RefreshOptions = {},
  ) {
    this.name = inner.name;
    this.marginMs = opts.marginMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    this.current = opts.initial;
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
      this.current = await this.inner.get();
      return this.current;
    } catch (err) {
      if (old?.expiration && old.expiration.getTime() > this.now()) return old;
      throw err;
    }
  }

  private due(c: Credentials): boolean {
    return c.expiration !== undefined && c.expiration.getTime() - this.marginMs <= this.now();
  }
}
