import { ApiError, errorsFrom } from '../api';
import { isOwner, loadTicket, renderDate, renderReservedBadge } from '../components/ticket-views';
import { h, link } from '../dom';
import { pollWhileVisible } from '../poll-while-visible';
import { formatCents } from '../money';
import { createOrder, newIdempotencyKey, orderPath } from '../orders';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';
import { type Ticket, getTicket, ticketPath } from '../tickets';

export const ALREADY_RESERVED_MESSAGE = 'Ticket is already reserved';
export const RESERVED_EDIT_NOTE = "A buyer is holding this ticket, so it can't be edited until their order ends.";
export const OWN_TICKET_NOTE = 'This is your ticket, so you cannot buy it.';
export const RESERVED_PURCHASE_NOTE = 'Someone is buying this ticket right now. If their order lapses, it will be for sale again.';
export const JUST_RESERVED_MESSAGE = 'Someone else has just reserved this ticket, so it cannot be bought now.';
export const FOR_SALE_AGAIN_MESSAGE = 'This ticket is for sale again.';
/** How often an open ticket page asks whether the ticket has changed (reserved, released, edited). */
export const TICKET_REFRESH_MS = 5000;

function note(id: string, text: string): HTMLElement {
  return h('p', { className: 'text-sm text-slate-600', attrs: { id } }, [text]);
}

/**
 * The seller edits and never buys (the API refuses it too): the page says the ticket is theirs.
 * A reserved ticket keeps the Edit button, disabled, with the reason beside it.
 */
function ownerActions(ticket: Ticket): HTMLElement[] {
  const own = note('ticket-own-note', OWN_TICKET_NOTE);
  if (!ticket.orderId) return [link(`${ticketPath(ticket.id)}/edit`, 'Edit', 'btn btn-secondary'), own];
  const edit = h('button', {
    className: 'btn btn-secondary',
    attrs: { type: 'button', disabled: true, 'aria-describedby': 'ticket-edit-note' },
  }, ['Edit']);
  return [edit, note('ticket-edit-note', RESERVED_EDIT_NOTE), own];
}

/**
 * Everyone else may buy: Purchase reserves the ticket (an order) and opens the
 * order. Signed out, it goes to sign in first and comes back here.
 */
function buyerActions(ticket: Ticket, { path, navigate }: RouteContext, purchasing: (busy: boolean) => void): HTMLElement[] {
  const purchase = h('button', { className: 'btn btn-primary btn-lg', attrs: { type: 'button' } }, ['Purchase']);
  if (ticket.orderId) {
    purchase.disabled = true;
    purchase.setAttribute('aria-describedby', 'ticket-purchase-note');
    return [purchase, note('ticket-purchase-note', RESERVED_PURCHASE_NOTE)];
  }
  const error = h('p', { className: 'field-error', attrs: { role: 'alert', hidden: true } });
  // One key per purchase attempt. It is kept while the outcome is unknown (no answer,
  // or a server error), so that trying again can't reserve twice; a clear refusal ends the attempt.
  let idempotencyKey: string | null = null;

  purchase.addEventListener('click', async () => {
    if (purchase.disabled) return;
    if (!getCurrentUser()) {
      void navigate(withNext('/signin', path));
      return;
    }
    purchase.disabled = true;
    purchase.setAttribute('aria-busy', 'true');
    purchasing(true);
    error.hidden = true;
    idempotencyKey ??= newIdempotencyKey();
    try {
      const order = await createOrder(ticket.id, idempotencyKey);
      await navigate(orderPath(order.id));
    } catch (failure) {
      const status = failure instanceof ApiError ? failure.status : 0;
      if (status === 401) {
        await navigate(withNext('/signin', path));
        return;
      }
      if (status >= 400 && status < 500) idempotencyKey = null;
      // A 409 says why (reserved by someone else, or too many orders awaiting payment).
      const reasons = errorsFrom(failure).map((item) => item.message).join(' ');
      error.textContent = status === 409 && !reasons ? ALREADY_RESERVED_MESSAGE : reasons;
      error.hidden = false;
    } finally {
      purchase.disabled = false;
      purchase.removeAttribute('aria-busy');
      purchasing(false);
    }
  });
  return [purchase, error];
}

export async function ticketPage(context: RouteContext): Promise<PageResult> {
  const loaded = await loadTicket(context);
  if ('page' in loaded) return loaded.page;
  return { title: loaded.ticket.title, content: renderTicket(loaded.ticket, context) };
}

/**
 * The ticket, kept up to date while the page is open and visible: if someone
 * else reserves it (or it is released, or the seller edits it), the page shows
 * that without a reload, and says so to screen readers.
 */
function renderTicket(initial: Ticket, context: RouteContext): HTMLElement {
  let ticket = initial;
  let purchaseUnderway = false;

  const title = h('h1', { className: 'user-text min-w-[min(100%,16rem)] flex-1 text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl' });
  const badgeSlot = h('div', { className: 'shrink-0' });
  const price = h('dd', { className: 'mt-1 text-3xl font-semibold text-slate-900', attrs: { 'data-testid': 'ticket-price' } });
  const listed = renderDate(ticket.createdAt);
  const actions = h('div', { className: 'mt-10 flex flex-wrap items-center gap-4' });
  const changed = h('p', { className: 'mt-4 text-sm text-slate-700', attrs: { role: 'status', 'data-testid': 'ticket-changed' } });

  const card = h('article', { className: 'card mt-6' }, [
    h('div', { className: 'flex flex-wrap items-start justify-between gap-x-4 gap-y-3' }, [title, badgeSlot]),
    h('div', { className: 'my-8 border-t border-dashed border-slate-300' }),
    h('dl', { className: 'grid gap-6 sm:grid-cols-2' }, [
      h('div', {}, [h('dt', { className: 'text-sm text-slate-600' }, ['Price']), price]),
      listed
        ? h('div', {}, [
            h('dt', { className: 'text-sm text-slate-600' }, ['Listed']),
            h('dd', { className: 'mt-1 text-lg font-medium text-slate-900' }, [listed]),
          ])
        : null,
    ]),
    actions,
    changed,
  ]);
  const section = h('section', { className: 'mx-auto w-full max-w-3xl px-4 py-12 sm:px-6' }, [
    link('/tickets', '← All tickets', 'text-link text-sm'),
    card,
  ]);

  function paint(): void {
    title.textContent = ticket.title;
    badgeSlot.replaceChildren(ticket.orderId ? renderReservedBadge() : '');
    price.textContent = formatCents(ticket.price);
    const owner = isOwner(ticket, getCurrentUser()?.id);
    actions.replaceChildren(
      ...(owner ? ownerActions(ticket) : buyerActions(ticket, context, (busy) => (purchaseUnderway = busy))),
    );
  }

  async function refresh(): Promise<void> {
    const fresh = await getTicket(ticket.id);
    // While this visitor's own purchase is under way, its outcome decides what the page shows next.
    if (purchaseUnderway || (fresh.version === ticket.version && fresh.orderId === ticket.orderId)) return;
    const wasReserved = Boolean(ticket.orderId);
    const focusWasInActions = actions.contains(document.activeElement);
    ticket = fresh;
    paint();
    if (wasReserved !== Boolean(fresh.orderId)) {
      changed.textContent = fresh.orderId ? JUST_RESERVED_MESSAGE : FOR_SALE_AGAIN_MESSAGE;
    }
    // A button that was focused may be gone or disabled now; keep the keyboard user on this card.
    if (focusWasInActions && !actions.contains(document.activeElement)) {
      title.tabIndex = -1;
      title.focus({ preventScroll: true });
    }
  }

  paint();
  pollWhileVisible(section, TICKET_REFRESH_MS, refresh);
  return section;
}
