import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCurrentUser } from '../session';
import { makeTicket, mountPage, requests, routeContext, serve } from '../test-support';
import { ticketsPage } from './tickets';

const FIRST = 'GET /api/tickets?limit=12';

const cards = () =>
  Array.from(document.querySelectorAll('ul[aria-label="Tickets for sale"] li a')).map((a) => ({
    href: a.getAttribute('href'),
    title: a.querySelector('h2')?.textContent,
    price: a.querySelector('h2 + p')?.textContent,
  }));
const button = (name: string) =>
  Array.from(document.querySelectorAll('button')).find((b) => b.textContent === name) as HTMLButtonElement | undefined;
const linkNamed = (name: string) => Array.from(document.querySelectorAll('a')).find((a) => a.textContent === name);

beforeEach(() => {
  setCurrentUser(null);
});

afterEach(() => {
  document.body.innerHTML = '';
});

describe('ticketsPage', () => {
  it('lists each ticket with its price as money, linking to the ticket', async () => {
    serve({
      [FIRST]: {
        status: 200,
        body: {
          tickets: [
            makeTicket({ id: 'a', title: 'Opera night', price: 123450 }),
            makeTicket({ id: 'b/c', title: '<b>Jazz</b>', price: 7 }),
          ],
          nextCursor: null,
        },
      },
    });

    const view = await mountPage(ticketsPage, routeContext('/tickets'));

    expect(view.title).toBe('Tickets');
    expect(document.querySelector('h1')?.textContent).toBe('Tickets for sale');
    expect(cards()).toEqual([
      { href: '/tickets/a', title: 'Opera night', price: '$1,234.50' },
      { href: '/tickets/b%2Fc', title: '<b>Jazz</b>', price: '$0.07' },
    ]);
    expect(document.querySelector('b')).toBeNull();
    expect(document.body.textContent).toContain('Listed Jun 1, 2025');
    expect(button('Load more')?.hidden).toBe(true);
  });

  it('loads the next page with the cursor, appending, until nextCursor is null', async () => {
    const fetchMock = serve({
      [FIRST]: { status: 200, body: { tickets: [makeTicket({ id: 'a', title: 'A' })], nextCursor: 'c 1' } },
      'GET /api/tickets?limit=12&cursor=c+1': { status: 200, body: { tickets: [makeTicket({ id: 'b', title: 'B' })], nextCursor: 'c2' } },
      'GET /api/tickets?limit=12&cursor=c2': {
        status: 200,
        body: { tickets: [makeTicket({ id: 'b', title: 'B' }), makeTicket({ id: 'c', title: 'C' })], nextCursor: null },
      },
    });
    await mountPage(ticketsPage, routeContext('/tickets'));
    const more = button('Load more') as HTMLButtonElement;
    expect(more.hidden).toBe(false);

    more.click();
    expect(more.disabled).toBe(true);
    await vi.waitFor(() => expect(cards().map((card) => card.title)).toEqual(['A', 'B']));
    expect(more.hidden).toBe(false);
    expect(more.disabled).toBe(false);

    more.click();
    // A ticket already shown is not shown twice.
    await vi.waitFor(() => expect(cards().map((card) => card.title)).toEqual(['A', 'B', 'C']));
    expect(more.hidden).toBe(true);
    expect(document.activeElement?.getAttribute('href')).toBe('/tickets/c');
    expect(requests(fetchMock).map((request) => request.call)).toEqual([
      FIRST,
      'GET /api/tickets?limit=12&cursor=c+1',
      'GET /api/tickets?limit=12&cursor=c2',
    ]);
  });

  it('says so when the next page fails, and lets the user try again', async () => {
    serve({ [FIRST]: { status: 200, body: { tickets: [makeTicket()], nextCursor: 'next' } } });
    await mountPage(ticketsPage, routeContext('/tickets'));
    const more = button('Load more') as HTMLButtonElement;

    more.click();

    await vi.waitFor(() => expect(document.querySelector('[role="alert"]')?.textContent).toContain('Could not load more tickets.'));
    expect(more.hidden).toBe(false);
    expect(more.disabled).toBe(false);
    expect(cards()).toHaveLength(1);
  });

  it('offers "Sell a ticket" to a signed-in user, and an empty state that links to selling', async () => {
    setCurrentUser({ id: 'u1', email: 'ada@example.com' });
    serve({ [FIRST]: { status: 200, body: { tickets: [], nextCursor: null } } });

    await mountPage(ticketsPage, routeContext('/tickets'));

    expect(document.body.textContent).toContain('No tickets for sale yet');
    expect(linkNamed('Sell a ticket')?.getAttribute('href')).toBe('/tickets/new');
    expect(linkNamed('List it here')?.getAttribute('href')).toBe('/tickets/new');
    expect(button('Load more')).toBeUndefined();
  });

  it('has no sell button for a signed-out visitor, and the empty state sends them to sign in', async () => {
    serve({ [FIRST]: { status: 200, body: { tickets: [], nextCursor: null } } });

    await mountPage(ticketsPage, routeContext('/tickets'));

    expect(linkNamed('Sell a ticket')).toBeUndefined();
    expect(linkNamed('Sign in to list it')?.getAttribute('href')).toBe('/signin?next=%2Ftickets%2Fnew');
  });

  it('shows why the list could not load, with a retry', async () => {
    serve({ [FIRST]: { status: 500, body: { errors: [{ message: 'Something went wrong' }] } } });
    const context = routeContext('/tickets');

    await mountPage(ticketsPage, context);

    expect(document.querySelector('h1')?.textContent).toBe('Tickets could not be loaded');
    expect(document.body.textContent).toContain('Something went wrong');
    button('Try again')?.click();
    expect(context.navigate).toHaveBeenCalledWith('/tickets', { replace: true });
  });
});
