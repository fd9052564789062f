// Pieces the ticket pages share: loading one ticket with its not-found and
// failure states, the "Reserved" badge, and the listed date.

import { ApiError, errorsFrom } from '../api';
import { h, link } from '../dom';
import type { PageResult, RouteContext } from '../router';
import { type Ticket, getTicket } from '../tickets';
import { renderNotice } from './notice';

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' });

/** "Nov 26, 2025" inside a <time>, or nothing if the server's timestamp can't be read. */
export function renderDate(iso: string, className = ''): HTMLElement | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return h('time', { className, attrs: { datetime: iso } }, [dateFormat.format(date)]);
}

export function renderReservedBadge(): HTMLElement {
  return h('span', { className: 'badge-reserved', attrs: { 'data-testid': 'reserved-badge' } }, ['Reserved']);
}

export function ticketNotFound(): PageResult {
  return {
    title: 'Ticket not found',
    content: renderNotice({
      eyebrow: '404',
      heading: 'Ticket not found',
      body: ['This ticket does not exist. It may have been taken down, or the link may be mistyped.'],
      actions: [link('/tickets', 'Browse tickets', 'btn btn-primary')],
    }),
  };
}

/** A failed load with the reason and a button that renders the page again. */
export function loadFailed(title: string, error: unknown, { path, navigate }: RouteContext): PageResult {
  const retry = h('button', { className: 'btn btn-primary', attrs: { type: 'button' } }, ['Try again']);
  retry.addEventListener('click', () => {
    retry.disabled = true;
    void navigate(path, { replace: true });
  });
  return {
    title,
    content: renderNotice({
      heading: title,
      body: [errorsFrom(error).map((item) => item.message).join(' ')],
      actions: [retry],
    }),
  };
}

/** The ticket named by the route, or the page to show instead (not found, or the load failed). */
export async function loadTicket(context: RouteContext): Promise<{ ticket: Ticket } | { page: PageResult }> {
  try {
    return { ticket: await getTicket(context.params['id'] ?? '') };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { page: ticketNotFound() };
    return { page: loadFailed('This ticket could not be loaded', error, context) };
  }
}

/** Whether the signed-in user listed this ticket. */
export function isOwner(ticket: Ticket, userId: string | undefined): boolean {
  return userId !== undefined && String(ticket.userId) === userId;
}
