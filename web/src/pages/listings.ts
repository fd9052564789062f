// "My listings": every ticket the seller listed with its state (for sale,
// reserved until HH:MM, sold) and, for a sale, the amount, the platform fee and
// the payout; above them the payout setup, which sends the seller to Stripe's
// hosted onboarding. Kept up to date while something is still moving.

import { ApiError, errorsFrom } from '../api';
import { loadFailed } from '../components/ticket-views';
import { h, link } from '../dom';
import { formatCents } from '../money';
import { type Listing, type SellerPayouts, getPayouts, isSettling, listingStateText, payoutText, startOnboarding } from '../payouts';
import { pollWhileVisible } from '../poll-while-visible';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';

const SETUP_TEXT: Record<SellerPayouts['account']['status'], string> = {
  none: 'Set up payouts to be paid for the tickets you sell. You can list tickets before that; sales wait for it.',
  incomplete: 'Your payout setup is not finished yet. Sales wait for it.',
  ready: 'Payouts are set up: each sale is paid to your Stripe account.',
};

function setupSection(payouts: SellerPayouts, returned: string | null): HTMLElement {
  const status = payouts.account.status;
  const message = h('p', { className: 'text-sm text-red-600', attrs: { role: 'alert' } });
  const children: (HTMLElement | null)[] = [
    h('h2', { className: 'text-lg font-semibold text-slate-900' }, ['Payouts']),
    h('p', { className: 'mt-1 text-slate-700', attrs: { 'data-testid': 'payout-setup', 'data-status': status } }, [SETUP_TEXT[status]]),
    returned === 'refresh' && status !== 'ready' ? h('p', { className: 'mt-1 text-sm text-slate-600' }, ['That setup link has expired; start again.']) : null,
  ];
  if (status !== 'ready') {
    const button = h('button', { className: 'btn btn-primary mt-3', attrs: { type: 'button' } }, [
      status === 'none' ? 'Set up payouts' : 'Finish payout setup',
    ]);
    button.addEventListener('click', async () => {
      button.disabled = true;
      message.textContent = '';
      try {
        window.location.assign(await startOnboarding());
      } catch (error) {
        message.textContent = errorsFrom(error)[0]?.message ?? 'Payout setup could not be started.';
        button.disabled = false;
      }
    });
    children.push(button, message);
  }
  return h('section', { className: 'card-sm mt-8 p-5', attrs: { 'aria-label': 'Payouts' } }, children);
}

function saleDetails(listing: Listing): HTMLElement | null {
  const sale = listing.sale;
  if (!sale) return null;
  return h('dl', { className: 'mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm text-slate-700' }, [
    h('dt', {}, ['Sold for']),
    h('dd', {}, [formatCents(sale.price)]),
    h('dt', {}, ['Platform fee']),
    h('dd', {}, [formatCents(sale.fee)]),
    h('dt', {}, ['Payout']),
    h('dd', { attrs: { 'data-testid': 'payout', 'data-payout': sale.payout } }, [
      payoutText(sale),
      sale.transferId ? h('span', { className: 'block font-mono text-xs text-slate-600', attrs: { 'data-testid': 'transfer-id' } }, [sale.transferId]) : null,
    ]),
  ]);
}

function listingCard(listing: Listing): HTMLLIElement {
  return h('li', { className: 'ticket-card', attrs: { 'data-testid': 'listing', 'data-ticket-id': listing.ticketId } }, [
    h('div', { className: 'flex flex-wrap items-start justify-between gap-x-4 gap-y-2' }, [
      h('div', { className: 'min-w-[min(100%,12rem)] flex-1' }, [
        h('h2', { className: 'user-text font-semibold text-slate-900' }, [link(`/tickets/${encodeURIComponent(listing.ticketId)}`, listing.title, 'text-link')]),
        h('p', { className: 'mt-1 text-lg font-semibold text-slate-900' }, [formatCents(listing.price)]),
      ]),
      h('span', { className: `badge badge-listing-${listing.state}`, attrs: { 'data-testid': 'listing-state', 'data-state': listing.state } }, [listingStateText(listing)]),
    ]),
    saleDetails(listing),
  ]);
}

function listingsList(payouts: SellerPayouts): HTMLElement {
  if (payouts.listings.length === 0) {
    return h('div', { className: 'card-sm mt-8 py-12 text-center' }, [
      h('h2', { className: 'text-lg font-semibold text-slate-900' }, ['No listings yet']),
      h('p', { className: 'mt-2 text-sm text-slate-600' }, ['Tickets you sell show up here. ', link('/tickets/new', 'Sell a ticket', 'text-link')]),
    ]);
  }
  return h('ul', { className: 'mt-8 grid gap-4', attrs: { 'aria-label': 'My listings' } }, payouts.listings.map(listingCard));
}

export async function listingsPage(context: RouteContext): Promise<PageResult> {
  const { path, query } = context;
  if (!getCurrentUser()) return { redirect: withNext('/signin', path) };

  let payouts: SellerPayouts;
  try {
    payouts = await getPayouts();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { redirect: withNext('/signin', path) };
    return loadFailed('Your listings could not be loaded', error, context);
  }

  const returned = query.get('payouts');
  const body = h('div', {}, [setupSection(payouts, returned), listingsList(payouts)]);
  const section = h('section', { className: 'mx-auto max-w-3xl px-4 py-12 sm:px-6' }, [
    h('h1', { className: 'text-3xl font-semibold tracking-tight text-slate-900' }, ['My listings']),
    h('p', { className: 'mt-2 text-slate-600' }, ['Tickets you have listed, what became of them, and your payouts.']),
    body,
  ]);
  // Back from Stripe, the account's new state arrives by webhook a moment later; a reservation
  // ends or sells, a payout goes out: while anything can still change, ask again.
  let last = JSON.stringify(payouts);
  const stop = pollWhileVisible(section, 2000, async () => {
    const fresh = await getPayouts();
    const text = JSON.stringify(fresh);
    if (text !== last) {
      last = text;
      body.replaceChildren(setupSection(fresh, returned), listingsList(fresh));
    }
    if (!isSettling(fresh) && !(returned && fresh.account.status !== 'ready')) stop();
  });
  return { title: 'My listings', content: section };
}
