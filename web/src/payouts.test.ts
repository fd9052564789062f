import { describe, expect, it } from 'vitest';
import { type Listing, type SellerPayouts, isSettling, listingStateText, payoutText, reservedText } from './payouts';

const listing = (over: Partial<Listing>): Listing => ({
  ticketId: 't-1',
  title: 'Concert',
  price: 2500,
  listedAt: '2026-11-26T12:00:00.000Z',
  state: 'for_sale',
  ...over,
});

const sold = (payout: 'waiting_for_setup' | 'sent'): Listing =>
  listing({ state: 'sold', sale: { orderId: 'o-1', price: 2500, fee: 250, amount: 2250, payout, ...(payout === 'sent' ? { transferId: 'tr_1' } : {}) } });

describe('listing states', () => {
  it('names each state, with the end of a reservation as HH:MM', () => {
    expect(listingStateText(listing({}))).toBe('For sale');
    expect(listingStateText(sold('sent'))).toBe('Sold');
    const until = new Date(2026, 10, 26, 14, 5).toISOString();
    expect(listingStateText(listing({ state: 'reserved', reservedUntil: until }))).toBe('Reserved until 14:05');
    expect(reservedText('not a date')).toBe('Reserved');
  });

  it('says where the money of a sale is', () => {
    expect(payoutText(sold('waiting_for_setup').sale!)).toBe('Payout of $22.50 waiting for your payout setup');
    expect(payoutText(sold('sent').sale!)).toBe('Payout of $22.50 sent');
  });

  it('keeps polling only while something can still change by itself', () => {
    const payouts = (status: 'none' | 'ready', listings: Listing[]): SellerPayouts => ({ account: { status }, platformFeeBasisPoints: 1000, listings });
    expect(isSettling(payouts('none', [listing({})]))).toBe(false);
    expect(isSettling(payouts('none', [listing({ state: 'reserved' })]))).toBe(true);
    expect(isSettling(payouts('none', [sold('waiting_for_setup')]))).toBe(false);
    expect(isSettling(payouts('ready', [sold('waiting_for_setup')]))).toBe(true);
    expect(isSettling(payouts('ready', [sold('sent')]))).toBe(false);
  });
});
