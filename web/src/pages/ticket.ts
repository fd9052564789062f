import { ApiError, errorsFrom } from '../api';
import { isOwner, loadTicket, renderDate, renderReservedBadge } from '../components/ticket-views';
import { h, link } from '../dom';
import { formatCents } from '../money';
import { createOrder, newIdempotencyKey, orderPath } from '../orders';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';
import { type Ticket, ticketPath } from '../tickets';

export const ALREADY_RESERVED_MESSAGE = 'Ticket is already reserved';
export const RESERVED_EDIT_NOTE = "A buyer is holding this ticket, so it can't be edited until their order ends.";
export const OWN_TICKET_NOTE = 'This is your ticket, so you cannot buy it.';
export const RESERVED_PURCHASE_NOTE = 'Someone is buying this ticket right now. If their order lapses, it will be for sale again.';

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
function buyerActions(ticket: Ticket, { path, navigate }: RouteContext): HTMLElement[] {
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
    }
  });
  return [purchase, error];
}

export async function ticketPage(context: RouteContext): Promise<PageResult> {
  const loaded = await loadTicket(context);
  if ('page' in loaded) return loaded.page;
  const { ticket } = loaded;
  const owner = isOwner(ticket, getCurrentUser()?.id);
  const listed = renderDate(ticket.createdAt);

  const card = h('article', { className: 'card mt-6' }, [
    h('div', { className: 'flex items-start justify-between gap-4' }, [
      h('h1', { className: 'min-w-0 text-3xl font-semibold tracking-tight break-words text-slate-900' }, [ticket.title]),
      ticket.orderId ? renderReservedBadge() : null,
    ]),
    h('div', { className: 'my-8 border-t border-dashed border-slate-300' }),
    h('dl', { className: 'grid gap-6 sm:grid-cols-2' }, [
      h('div', {}, [
        h('dt', { className: 'text-sm text-slate-500' }, ['Price']),
        h('dd', { className: 'mt-1 text-3xl font-semibold text-slate-900', attrs: { 'data-testid': 'ticket-price' } }, [
          formatCents(ticket.price),
        ]),
      ]),
      listed
        ? h('div', {}, [
            h('dt', { className: 'text-sm text-slate-500' }, ['Listed']),
            h('dd', { className: 'mt-1 text-lg font-medium text-slate-900' }, [listed]),
          ])
        : null,
    ]),
    h('div', { className: 'mt-10 flex flex-wrap items-center gap-4' }, owner ? ownerActions(ticket) : buyerActions(ticket, context)),
  ]);

  return {
    title: ticket.title,
    content: h('section', { className: 'mx-auto w-full max-w-3xl px-4 py-12 sm:px-6' }, [
      link('/tickets', '← All tickets', 'text-link text-sm'),
      card,
    ]),
  };
}
