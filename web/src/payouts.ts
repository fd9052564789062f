// The payouts API: the seller's payout setup (a Stripe Connect account, set up
// through Stripe's hosted onboarding) and every ticket they listed with what
// became of it. Sellers are paid on the server when an order completes; the
// browser only shows it.

import { ApiError, GENERIC_ERROR_MESSAGE, api } from './api';
import type { Listing, OnboardingLink, Sale, SellerPayouts } from './api-types';
import { formatCents } from './money';

// The shapes come from the API contract (docs/openapi.yaml, through api-types.ts).
export type { Listing, Sale, SellerPayouts };

export function getPayouts(): Promise<SellerPayouts> {
  return api.get<SellerPayouts>('/api/payouts');
}

/** Where Stripe's hosted onboarding for the caller's payout account is (a fresh, single-use link). */
export async function startOnboarding(): Promise<string> {
  const link = await api.post<OnboardingLink>('/api/payouts/onboarding');
  if (typeof link?.url !== 'string') throw new ApiError(500, [{ message: GENERIC_ERROR_MESSAGE }]);
  return link.url;
}

const timeFormat = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hour12: false });

/** "Reserved until 14:05" (local time), or plain "Reserved" if the time can't be read. */
export function reservedText(reservedUntil: string | undefined): string {
  const until = reservedUntil ? new Date(reservedUntil) : null;
  if (!until || Number.isNaN(until.getTime())) return 'Reserved';
  return `Reserved until ${timeFormat.format(until)}`;
}

export function listingStateText(listing: Listing): string {
  switch (listing.state) {
    case 'for_sale':
      return 'For sale';
    case 'reserved':
      return reservedText(listing.reservedUntil);
    case 'sold':
      return 'Sold';
  }
}

/** What the seller is told about a sale's payout. */
export function payoutText(sale: Sale): string {
  return sale.payout === 'sent'
    ? `Payout of ${formatCents(sale.amount)} sent`
    : `Payout of ${formatCents(sale.amount)} waiting for your payout setup`;
}

/** Whether the page may change without the seller doing anything (a reservation, a payout on its way). */
export function isSettling(payouts: SellerPayouts): boolean {
  return payouts.listings.some(
    (listing) => listing.state === 'reserved' || (listing.sale !== undefined && listing.sale.payout !== 'sent' && payouts.account.status === 'ready'),
  );
}
