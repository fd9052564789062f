import { errorsFrom } from '../api';
import { renderDate, loadFailed } from '../components/ticket-views';
import { h, link } from '../dom';
import { formatCents } from '../money';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';
import { type Ticket, type TicketPage, listTickets, ticketPath } from '../tickets';

/** Tickets fetched per page: four rows of three. */
export const TICKETS_PER_PAGE = 12;

function ticketCard(ticket: Ticket): HTMLLIElement {
  return h('li', {}, [
    h('a', { className: 'ticket-card', attrs: { href: ticketPath(ticket.id) } }, [
      h('h2', { className: 'user-text font-semibold text-slate-900' }, [ticket.title]),
      h('p', { className: 'mt-4 text-2xl font-semibold text-slate-900' }, [formatCents(ticket.price)]),
      h('p', { className: 'mt-1 text-xs text-slate-500' }, ['Listed ', renderDate(ticket.createdAt)]),
    ]),
  ]);
}

function emptyState(signedIn: boolean): HTMLElement {
  return h('div', { className: 'card-sm mt-10 py-16 text-center' }, [
    h('h2', { className: 'text-lg font-semibold text-slate-900' }, ['No tickets for sale yet']),
    h('p', { className: 'mt-2 text-sm text-slate-600' }, [
      signedIn ? "Got a ticket you can't use? " : 'Have one to sell? ',
      signedIn
        ? link('/tickets/new', 'List it here', 'text-link')
        : link(withNext('/signin', '/tickets/new'), 'Sign in to list it', 'text-link'),
    ]),
  ]);
}

/** The grid of cards plus the "Load more" button, which follows nextCursor until it is null. */
function ticketList(first: TicketPage): HTMLElement {
  const seen = new Set<string>();
  const list = h('ul', { className: 'mt-10 grid gap-4 sm:grid-cols-2 lg:grid-cols-3', attrs: { 'aria-label': 'Tickets for sale' } });
  let cursor = first.nextCursor;

  /** Adds the tickets not shown yet and returns the first new card's link. */
  function add(tickets: Ticket[]): HTMLAnchorElement | null {
    let firstLink: HTMLAnchorElement | null = null;
    for (const ticket of tickets) {
      if (seen.has(ticket.id)) continue;
      seen.add(ticket.id);
      const card = ticketCard(ticket);
      list.append(card);
      firstLink ??= card.querySelector('a');
    }
    return firstLink;
  }
  add(first.tickets);

  const error = h('p', { className: 'field-error', attrs: { role: 'alert', hidden: true } });
  const more = h('button', { className: 'btn btn-secondary', attrs: { type: 'button', hidden: cursor === null } }, ['Load more']);
  more.addEventListener('click', async () => {
    if (cursor === null || more.disabled) return;
    more.disabled = true;
    more.setAttribute('aria-busy', 'true');
    error.hidden = true;
    try {
      const page = await listTickets({ limit: TICKETS_PER_PAGE, cursor });
      const firstNew = add(page.tickets);
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      // The button is gone at the end of the list; keep keyboard users where the new tickets start.
      if (more.hidden) firstNew?.focus();
    } catch (failure) {
      error.textContent = `Could not load more tickets. ${errorsFrom(failure).map((item) => item.message).join(' ')}`;
      error.hidden = false;
    } finally {
      more.disabled = false;
      more.removeAttribute('aria-busy');
    }
  });

  return h('div', {}, [list, h('div', { className: 'mt-10 flex flex-col items-center gap-3' }, [more, error])]);
}

export async function ticketsPage(context: RouteContext): Promise<PageResult> {
  const signedIn = getCurrentUser() !== null;
  let first: TicketPage;
  try {
    first = await listTickets({ limit: TICKETS_PER_PAGE });
  } catch (error) {
    return loadFailed('Tickets could not be loaded', error, context);
  }

  const heading = h('div', { className: 'flex flex-wrap items-end justify-between gap-4' }, [
    h('div', {}, [
      h('h1', { className: 'text-3xl font-semibold tracking-tight text-slate-900' }, ['Tickets for sale']),
      h('p', { className: 'mt-2 text-slate-600' }, ["Seats from people who can't make it. Newest first."]),
    ]),
    signedIn ? link('/tickets/new', 'Sell a ticket', 'btn btn-primary') : null,
  ]);

  return {
    title: 'Tickets',
    content: h('section', { className: 'mx-auto max-w-6xl px-4 py-12 sm:px-6' }, [
      heading,
      first.tickets.length === 0 && first.nextCursor === null ? emptyState(signedIn) : ticketList(first),
    ]),
  };
}
