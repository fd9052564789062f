import { describe, expect, it } from 'vitest';
import { PRICE_MESSAGES, centsToDollarInput, formatCents, parseDollarsToCents } from './money';

describe('formatCents', () => {
  it.each([
    [123450, '$1,234.50'],
    [2500, '$25.00'],
    [3050, '$30.50'],
    [7, '$0.07'],
    [0, '$0.00'],
    [100, '$1.00'],
    [100000000, '$1,000,000.00'],
    [Number.MAX_SAFE_INTEGER, '$90,071,992,547,409.91'],
    [-1250, '-$12.50'],
  ])('formats %d cents as %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('refuses a fractional or unsafe number of cents', () => {
    expect(() => formatCents(12.5)).toThrow(RangeError);
    expect(() => formatCents(Number.NaN)).toThrow(RangeError);
    expect(() => formatCents(2 ** 60)).toThrow(RangeError);
  });
});

describe('centsToDollarInput', () => {
  it.each([
    [2500, '25.00'],
    [1250, '12.50'],
    [7, '0.07'],
    [123450, '1234.50'],
  ])('turns %d cents into the input value %s', (cents, text) => {
    expect(centsToDollarInput(cents)).toBe(text);
  });

  it('round-trips every listable price through parseDollarsToCents', () => {
    for (const cents of [50, 51, 99, 100, 1250, 12345678, 100_000_000]) {
      expect(parseDollarsToCents(centsToDollarInput(cents))).toEqual({ ok: true, cents });
    }
  });
});

describe('parseDollarsToCents', () => {
  it.each([
    ['12.5', 1250],
    ['12', 1200],
    ['12.50', 1250],
    ['0.50', 50],
    ['.5', 50],
    ['0.51', 51],
    ['12.', 1200],
    ['  25.00 ', 2500],
    ['$25', 2500],
    ['$ 30.50', 3050],
    ['1,234.50', 123450],
    ['1,000,000', 100000000],
    ['0019.99', 1999],
    ['1000000.00', 100000000],
  ])('reads %j as %d cents', (input, cents) => {
    expect(parseDollarsToCents(input)).toEqual({ ok: true, cents });
  });

  it('never goes through floating point', () => {
    // 1.15 * 100 is 114.99999999999999 and 0.57 * 100 is 56.99999999999999 in floats.
    expect(parseDollarsToCents('1.15')).toEqual({ ok: true, cents: 115 });
    expect(parseDollarsToCents('0.57')).toEqual({ ok: true, cents: 57 });
    expect(parseDollarsToCents('4.35')).toEqual({ ok: true, cents: 435 });
  });

  it.each([
    ['', PRICE_MESSAGES.missing],
    ['   ', PRICE_MESSAGES.missing],
    ['abc', PRICE_MESSAGES.notANumber],
    ['12abc', PRICE_MESSAGES.notANumber],
    ['1e3', PRICE_MESSAGES.notANumber],
    ['0x10', PRICE_MESSAGES.notANumber],
    ['Infinity', PRICE_MESSAGES.notANumber],
    ['12..5', PRICE_MESSAGES.notANumber],
    ['1.2.3', PRICE_MESSAGES.notANumber],
    ['1,23', PRICE_MESSAGES.notANumber],
    ['12,34.00', PRICE_MESSAGES.notANumber],
    ['.', PRICE_MESSAGES.notANumber],
    ['$', PRICE_MESSAGES.notANumber],
    ['+5', PRICE_MESSAGES.notANumber],
    ['12 50', PRICE_MESSAGES.notANumber],
    ['-5', PRICE_MESSAGES.negative],
    ['-0.50', PRICE_MESSAGES.negative],
    ['12.345', PRICE_MESSAGES.tooManyDecimals],
    ['0.001', PRICE_MESSAGES.tooManyDecimals],
    ['0', PRICE_MESSAGES.tooSmall],
    ['0.00', PRICE_MESSAGES.tooSmall],
    ['$0', PRICE_MESSAGES.tooSmall],
    ['0.07', PRICE_MESSAGES.tooSmall],
    ['0.49', PRICE_MESSAGES.tooSmall],
    ['1,000,000.01', PRICE_MESSAGES.tooLarge],
    ['90071992547409.92', PRICE_MESSAGES.tooLarge],
    ['99999999999999999999', PRICE_MESSAGES.tooLarge],
  ])('refuses %j: %s', (input, message) => {
    expect(parseDollarsToCents(input)).toEqual({ ok: false, message });
  });
});
