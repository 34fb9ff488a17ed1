import { describe, expect, it } from 'vitest';
import { Pause } from '../../src/output/pause.js';

describe('Pause (the wait between refreshes of vn top and --watch)', () => {
  it('ends at wake(), long before its interval', async () => {
    const pause = new Pause();
    const started = Date.now();
    setTimeout(() => pause.wake(), 20);
    await pause.for(10_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a wake with no wait under way does not cut the next wait short', async () => {
    const pause = new Pause();
    pause.wake();
    const started = Date.now();
    await pause.for(80);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });
});
