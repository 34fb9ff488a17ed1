import { describe, expect, it } from 'vitest';
import { parseTimeFlag, timeRangeParams } from '../../src/commands/time.js';
import { UsageError } from '../../src/errors.js';

const NOW = new Date(Date.UTC(2024, 2, 15, 12, 0, 0)); // 2024-03-15T12:00:00Z
const H = 3_600_000;
const D = 24 * H;

describe('parseTimeFlag', () => {
  it('takes now and relative offsets from now', () => {
    expect(parseTimeFlag('from', 'now', NOW)).toBe(NOW.getTime());
    expect(parseTimeFlag('from', 'NOW', NOW)).toBe(NOW.getTime());
    expect(parseTimeFlag('from', '-24h', NOW)).toBe(NOW.getTime() - 24 * H);
    expect(parseTimeFlag('from', '-7d', NOW)).toBe(NOW.getTime() - 7 * D);
    expect(parseTimeFlag('from', '-30m', NOW)).toBe(NOW.getTime() - 30 * 60_000);
    expect(parseTimeFlag('from', '-2w', NOW)).toBe(NOW.getTime() - 14 * D);
    expect(parseTimeFlag('from', '-90s', NOW)).toBe(NOW.getTime() - 90_000);
    expect(parseTimeFlag('from', '-1h30m', NOW)).toBe(NOW.getTime() - 90 * 60_000);
    expect(parseTimeFlag('to', '+2d', NOW)).toBe(NOW.getTime() + 2 * D);
  });

  it('takes epoch milliseconds as they are', () => {
    expect(parseTimeFlag('from', '1582183381000', NOW)).toBe(1582183381000);
  });

  it('refuses epoch seconds instead of guessing', () => {
    expect(() => parseTimeFlag('from', '1582183381', NOW)).toThrow(/epoch seconds/);
  });

  it('reads a date alone as local midnight, or the end of the day when asked', () => {
    expect(parseTimeFlag('from', '2024-03-01', NOW)).toBe(new Date(2024, 2, 1).getTime());
    expect(parseTimeFlag('to', '2024-03-01', NOW, { endOfDay: true })).toBe(new Date(2024, 2, 1, 23, 59, 59, 999).getTime());
  });

  it('reads a date-time without a zone as local time', () => {
    expect(parseTimeFlag('from', '2024-03-01T08:30', NOW)).toBe(new Date(2024, 2, 1, 8, 30).getTime());
    expect(parseTimeFlag('from', '2024-03-01 08:30:15', NOW)).toBe(new Date(2024, 2, 1, 8, 30, 15).getTime());
    expect(parseTimeFlag('from', '2024-03-01T08:30:15.250', NOW)).toBe(new Date(2024, 2, 1, 8, 30, 15, 250).getTime());
  });

  it('honours Z and numeric zone offsets', () => {
    expect(parseTimeFlag('from', '2024-03-01T08:30:00Z', NOW)).toBe(Date.UTC(2024, 2, 1, 8, 30));
    expect(parseTimeFlag('from', '2024-03-01T08:30:00+08:00', NOW)).toBe(Date.UTC(2024, 2, 1, 0, 30));
    expect(parseTimeFlag('from', '2024-03-01T08:30:00+0800', NOW)).toBe(Date.UTC(2024, 2, 1, 0, 30));
    expect(parseTimeFlag('from', '2024-03-01T08:30-05', NOW)).toBe(Date.UTC(2024, 2, 1, 13, 30));
    expect(parseTimeFlag('from', '2024-03-01T08:30:00.5Z', NOW)).toBe(Date.UTC(2024, 2, 1, 8, 30, 0, 500));
  });

  it.each([
    ['', /is empty/],
    ['yesterday', /is not a time/],
    ['-24', /is not a time/],
    ['24h', /is not a time/],
    ['-3y', /is not a time/],
    ['2024-02-30', /not a calendar date/],
    ['2023-02-29', /not a calendar date/],
    ['2024-13-01', /not a calendar date/],
    ['2024-03-01T24:00', /not a time of day/],
    ['2024-03-01T10:61', /not a time of day/],
    ['2024-03-01T10:00+15:00', /time zone/],
    ['03/01/2024', /is not a time/],
  ])('refuses %j with a usage error', (text, why) => {
    let caught: unknown;
    try {
      parseTimeFlag('from', text, NOW);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as Error).message).toMatch(why);
    expect((caught as Error).message).toContain('--from');
  });

  it('accepts a leap day', () => {
    expect(parseTimeFlag('from', '2024-02-29', NOW)).toBe(new Date(2024, 1, 29).getTime());
  });
});

describe('timeRangeParams', () => {
  it('maps --from and --to onto the API range parameters', () => {
    expect(timeRangeParams({ from: '-1d', to: 'now' }, NOW)).toEqual({ BeginTimeLeftRange: NOW.getTime() - D, BeginTimeRightRange: NOW.getTime() });
    expect(timeRangeParams({}, NOW)).toEqual({});
    expect(timeRangeParams({ to: '2024-03-01' }, NOW)).toEqual({ BeginTimeRightRange: new Date(2024, 2, 1, 23, 59, 59, 999).getTime() });
  });

  it('lets --from and --to name the same day', () => {
    const r = timeRangeParams({ from: '2024-03-01', to: '2024-03-01' }, NOW);
    expect((r.BeginTimeRightRange as number) - (r.BeginTimeLeftRange as number)).toBe(D - 1);
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => timeRangeParams({ from: 'now', to: '-1h' }, NOW)).toThrow(UsageError);
    expect(() => timeRangeParams({ from: 'now', to: '-1h' }, NOW)).toThrow(/after --to/);
  });
});

describe('years before the service epoch', () => {
  it('refuses the years 0001-0099 instead of shifting them by 1900', () => {
    for (const text of ['0001-01-01T00:00Z', '0001-01-01', '0099-12-31T23:59:59+08:00', '1969-12-31T23:59:59.999Z']) {
      expect(() => parseTimeFlag('from', text, NOW), text).toThrow(/before 1970-01-01T00:00Z/);
    }
    expect(() => parseTimeFlag('from', '-100000d', NOW)).toThrow(/before 1970-01-01T00:00Z/);
  });

  it('still takes the epoch itself and later dates, local or zoned', () => {
    expect(parseTimeFlag('from', '1970-01-01T00:00Z', NOW)).toBe(0);
    expect(parseTimeFlag('from', '2024-02-29T10:00Z', NOW)).toBe(Date.UTC(2024, 1, 29, 10));
    expect(parseTimeFlag('from', '2024-03-01T08:00', NOW)).toBe(new Date(2024, 2, 1, 8).getTime());
    expect(() => parseTimeFlag('from', '2023-02-29', NOW)).toThrow(/not a calendar date/);
  });
});
