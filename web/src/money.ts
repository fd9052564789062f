// Prices travel as integer cents. Converting to and from what people read and
// type is done on digits (strings and bigints), never by multiplying or dividing
// floats, so 0.07 stays 7 cents and 1234.50 is never 123449.99999.

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

function splitCents(cents: number): { negative: boolean; dollars: bigint; fraction: string } {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Not a whole number of cents: ${cents}`);
  const value = BigInt(cents);
  const magnitude = value < 0n ? -value : value;
  return { negative: value < 0n, dollars: magnitude / 100n, fraction: String(magnitude % 100n).padStart(2, '0') };
}

/** US dollars as people read them: 123450 → "$1,234.50", 7 → "$0.07". */
export function formatCents(cents: number): string {
  const { negative, dollars, fraction } = splitCents(cents);
  // Intl groups the whole dollars and places the symbol; the cents are put in as digits.
  const text = usd
    .formatToParts(dollars)
    .map((part) => (part.type === 'fraction' ? fraction : part.value))
    .join('');
  return negative ? `-${text}` : text;
}

/** Dollars as an input's value, without symbol or grouping: 2500 → "25.00". */
export function centsToDollarInput(cents: number): string {
  const { negative, dollars, fraction } = splitCents(cents);
  return `${negative ? '-' : ''}${dollars}.${fraction}`;
}

export type ParsedPrice = { ok: true; cents: number } | { ok: false; message: string };

/** The smallest listing price, as the API takes it: Stripe's 50-cent card minimum. */
export const MIN_PRICE_CENTS = 50;
/** The largest listing price, as the API takes it: one million dollars. */
export const MAX_PRICE_CENTS = 100_000_000;

export const PRICE_MESSAGES = {
  missing: 'Enter a price',
  notANumber: 'Enter a price in dollars, like 12.50',
  negative: 'Price cannot be negative',
  tooManyDecimals: 'Price can have at most 2 decimal places',
  tooSmall: 'Price must be at least $0.50',
  tooLarge: 'Price must be at most $1,000,000',
} as const;

// Whole dollars, optionally grouped in thousands ("1,234"), then up to any number of
// decimals so that "12.345" is told it has too many rather than that it is not a number.
const DOLLARS = /^(\d+|\d{1,3}(?:,\d{3})+)?(?:\.(\d*))?$/;

/**
 * Parses a price typed in dollars ("12.5", "$1,234.50", "0.07") into cents.
 * A leading "$" and thousands commas are allowed; more than two decimals,
 * negatives, prices outside $0.50 to $1,000,000 and anything that is not a
 * number are refused with a message meant to be shown next to the price field.
 */
export function parseDollarsToCents(input: string): ParsedPrice {
  let text = input.trim();
  if (text === '') return { ok: false, message: PRICE_MESSAGES.missing };
  if (text.startsWith('-')) return { ok: false, message: PRICE_MESSAGES.negative };
  if (text.startsWith('$')) text = text.slice(1).trimStart();

  const match = DOLLARS.exec(text);
  const whole = match?.[1] ?? '';
  const decimals = match?.[2] ?? '';
  if (!match || (whole === '' && decimals === '')) return { ok: false, message: PRICE_MESSAGES.notANumber };
  if (decimals.length > 2) return { ok: false, message: PRICE_MESSAGES.tooManyDecimals };

  const cents = BigInt(whole.replaceAll(',', '') || '0') * 100n + BigInt(decimals.padEnd(2, '0'));
  if (cents < BigInt(MIN_PRICE_CENTS)) return { ok: false, message: PRICE_MESSAGES.tooSmall };
  if (cents > BigInt(MAX_PRICE_CENTS)) return { ok: false, message: PRICE_MESSAGES.tooLarge };
  return { ok: true, cents: Number(cents) };
}
