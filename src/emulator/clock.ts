/**
 * The emulator's one clock. Every time the emulator reads (a request's `now`, export progress, STS
 * token expiry, file URL expiry, statistics hours) comes from it. Off by default: it is the wall
 * clock (or the `now` a test passes). With `--virtual-clock` it is the wall clock plus an offset
 * that `/_vn/clock` and `vn emulator clock` move, so time-dependent behaviour takes milliseconds to
 * test. Signature time stamps and replay windows stay on the wall clock (`wallNow`): the clients
 * sign with theirs.
 */
export interface EmulatorClock {
  /** Epoch ms, virtual when the clock is. */
  now(): number;
  /** The wall clock (what signature time stamps are checked against). */
  wallNow(): number;
  readonly virtual: boolean;
  /** How far the virtual clock is ahead of the wall clock (ms; 0 when not virtual). */
  offsetMs(): number;
  /** Moves the virtual clock forward; throws ClockError when not virtual or ms < 0. */
  advance(ms: number): void;
  /** Sets the virtual clock to an instant (it runs on from there). */
  set(epochMs: number): void;
}

export class ClockError extends Error {
  override name = 'ClockError';
}

export function createClock(opts: { virtual?: boolean; now?: () => number }): EmulatorClock {
  const wall = opts.now ?? Date.now;
  let offset = 0;
  const needVirtual = () => {
    if (!opts.virtual) throw new ClockError('the clock is not virtual: start the emulator with --virtual-clock to move it');
  };
  return {
    now: opts.virtual ? () => wall() + offset : wall,
    wallNow: wall,
    virtual: opts.virtual === true,
    offsetMs: () => offset,
    advance(ms) {
      needVirtual();
      if (!Number.isFinite(ms) || ms < 0) throw new ClockError('the clock only moves forward: give a duration of 0 or more');
      offset += ms;
    },
    set(epochMs) {
      needVirtual();
      if (!Number.isFinite(epochMs)) throw new ClockError('not a valid time');
      offset = epochMs - wall();
    },
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `15m`, `2h`, `1d`, `500ms`, or several together (`1h30m`); undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let at = 0;
  if (!text) return undefined;
  for (;;) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) break;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    at = re.lastIndex;
  }
  return at === text.length && at > 0 ? Math.round(total) : undefined;
}
