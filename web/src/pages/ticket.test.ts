import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCurrentUser } from '../session';
import { makeOrder, makeTicket, mountPage, requestHeaders, requests, routeContext, serve } from '../test-support';
import {
  ALREADY_RESERVED_MESSAGE,
  FOR_SALE_AGAIN_MESSAGE,
  JUST_RESERVED_MESSAGE,
  OWN_TICKET_NOTE,
  RESERVED_EDIT_NOTE,
  RESERVED_PURCHASE_NOTE,
  TICKET_REFRESH_MS,
  ticketPage,
} from './ticket';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const context = () => routeContext('/tickets/t1', { id: 't1' });
const button = (name: string) =>
  Array.from(document.querySelectorAll('button')).find((b) => b.textContent === name) as HTMLButtonElement | undefined;
const linkNamed = (name: string) => Array.from(document.querySelectorAll('a')).find((a) => a.textContent === name);
const description = (element: Element) =>
  (element.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

function serveTicket(overrides: Parameters<typeof makeTicket>[0] = {}) {
  return serve({ 'GET /api/tickets/t1': { status: 200, body: makeTicket(overrides) } });
}

beforeEach(() => {
  setCurrentUser(null);
});

afterEach(() => {
  document.body.innerHTML = '';
});

describe('ticketPage', () => {
  it('shows the title, the price as money and the listed date', async () => {
    serveTicket({ title: 'Opera night', price: 123450, createdAt: '2025-06-01T18:30:00Z' });

    const view = await mountPage(ticketPage, context());

    expect(view.title).toBe('Opera night');
    expect(document.querySelector('h1')?.textContent).toBe('Opera night');
    expect(document.querySelector('[data-testid="ticket-price"]')?.textContent).toBe('$1,234.50');
    expect(document.querySelector('time')?.getAttribute('datetime')).toBe('2025-06-01T18:30:00Z');
    expect(document.querySelector('time')?.textContent).toBe('Jun 1, 2025');
    expect(document.querySelector('[data-testid="reserved-badge"]')).toBeNull();
  });

  it('gives the owner an Edit link and no Purchase button', async () => {
    setCurrentUser({ id: 'seller', email: 'seller@example.com' });
    serveTicket();

    await mountPage(ticketPage, context());

    expect(linkNamed('Edit')?.getAttribute('href')).toBe('/tickets/t1/edit');
    expect(button('Purchase')).toBeUndefined();
    expect(document.getElementById('ticket-own-note')?.textContent).toBe(OWN_TICKET_NOTE);
  });

  it('tells the seller a ticket of theirs is theirs while it is reserved too, with no way to buy it', async () => {
    setCurrentUser({ id: 'seller', email: 'seller@example.com' });
    serveTicket({ orderId: 'o1' });

    await mountPage(ticketPage, context());

    expect(button('Purchase')).toBeUndefined();
    expect(document.getElementById('ticket-own-note')?.textContent).toBe(OWN_TICKET_NOTE);
    expect(OWN_TICKET_NOTE).toMatch(/your ticket/i);
  });

  it('shows a reserved ticket as such, and disables Edit with the reason', async () => {
    setCurrentUser({ id: 'seller', email: 'seller@example.com' });
    serveTicket({ orderId: 'o1' });

    await mountPage(ticketPage, context());

    expect(document.querySelector('[data-testid="reserved-badge"]')?.textContent).toBe('Reserved');
    expect(linkNamed('Edit')).toBeUndefined();
    const edit = button('Edit') as HTMLButtonElement;
    expect(edit.disabled).toBe(true);
    expect(description(edit)).toBe(RESERVED_EDIT_NOTE);
  });

  it('sends a signed-out visitor who clicks Purchase to sign in, coming back here', async () => {
    serveTicket();
    const ctx = context();
    await mountPage(ticketPage, ctx);

    button('Purchase')?.click();

    expect(ctx.navigate).toHaveBeenCalledWith('/signin?next=%2Ftickets%2Ft1');
    expect(linkNamed('Edit')).toBeUndefined();
  });

  it('reserves the ticket for a signed-in buyer and opens the order, disabling Purchase meanwhile', async () => {
    setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
    const fetchMock = serve({
      'GET /api/tickets/t1': { status: 200, body: makeTicket() },
      'POST /api/orders': { status: 201, body: makeOrder({ id: 'o 1' }) },
    });
    const ctx = context();
    await mountPage(ticketPage, ctx);
    const purchase = button('Purchase') as HTMLButtonElement;

    purchase.click();

    expect(purchase.disabled).toBe(true);
    expect(purchase.getAttribute('aria-busy')).toBe('true');
    await vi.waitFor(() => expect(ctx.navigate).toHaveBeenCalledWith('/orders/o%201'));
    expect(requests(fetchMock)[1]).toEqual({ call: 'POST /api/orders', body: { ticketId: 't1' } });
    expect(requestHeaders(fetchMock, 1)['Idempotency-Key']).toMatch(UUID);
  });

  it('says "Ticket is already reserved" inline on a 409, and the next try is a new attempt', async () => {
    setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
    const fetchMock = serve({
      'GET /api/tickets/t1': { status: 200, body: makeTicket() },
      'POST /api/orders': { status: 409, body: { errors: [{ message: 'Ticket is already reserved' }] } },
    });
    const ctx = context();
    await mountPage(ticketPage, ctx);
    const purchase = button('Purchase') as HTMLButtonElement;

    purchase.click();

    await vi.waitFor(() => expect(document.querySelector('[role="alert"]')?.textContent).toBe(ALREADY_RESERVED_MESSAGE));
    expect((document.querySelector('[role="alert"]') as HTMLElement).hidden).toBe(false);
    expect(purchase.disabled).toBe(false);
    expect(ctx.navigate).not.toHaveBeenCalled();

    purchase.click();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(3));
    expect(requestHeaders(fetchMock, 2)['Idempotency-Key']).not.toBe(requestHeaders(fetchMock, 1)['Idempotency-Key']);
  });

  it("shows the server's reason on a 409 other than a reserved ticket: too many orders awaiting payment", async () => {
    setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
    const reason = 'You already have 3 orders awaiting payment. Pay for or cancel one before reserving another ticket.';
    serve({
      'GET /api/tickets/t1': { status: 200, body: makeTicket() },
      'POST /api/orders': { status: 409, body: { errors: [{ message: reason }] } },
    });
    const ctx = context();
    await mountPage(ticketPage, ctx);

    button('Purchase')?.click();

    await vi.waitFor(() => expect(document.querySelector('[role="alert"]')?.textContent).toBe(reason));
    expect(ctx.navigate).not.toHaveBeenCalled();
  });

  it("shows the server's reason when a buyer is refused their own ticket (403)", async () => {
    setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
    serve({
      'GET /api/tickets/t1': { status: 200, body: makeTicket() },
      'POST /api/orders': { status: 403, body: { errors: [{ message: 'You cannot buy your own ticket' }] } },
    });
    await mountPage(ticketPage, context());

    button('Purchase')?.click();

    await vi.waitFor(() => expect(document.querySelector('[role="alert"]')?.textContent).toBe('You cannot buy your own ticket'));
  });

  it('retries an attempt whose outcome is unknown with the same Idempotency-Key', async () => {
    setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
    const fetchMock = serve({
      'GET /api/tickets/t1': { status: 200, body: makeTicket() },
      'POST /api/orders': [
        { status: 503, body: { errors: [{ message: 'Something went wrong' }] } },
        { status: 201, body: makeOrder() },
      ],
    });
    const ctx = context();
    await mountPage(ticketPage, ctx);
    const purchase = button('Purchase') as HTMLButtonElement;

    purchase.click();
    await vi.waitFor(() => expect(document.querySelector('[role="alert"]')?.textContent).toBe('Something went wrong'));
    purchase.click();

    await vi.waitFor(() => expect(ctx.navigate).toHaveBeenCalledWith('/orders/o1'));
    expect(requestHeaders(fetchMock, 2)['Idempotency-Key']).toBe(requestHeaders(fetchMock, 1)['Idempotency-Key']);
    expect((document.querySelector('[role="alert"]') as HTMLElement).hidden).toBe(true);
  });

  it('sends a buyer whose session ended to sign in', async () => {
    setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
    serve({
      'GET /api/tickets/t1': { status: 200, body: makeTicket() },
      'POST /api/orders': { status: 401, body: { errors: [{ message: 'Not authorized' }] } },
    });
    const ctx = context();
    await mountPage(ticketPage, ctx);

    button('Purchase')?.click();

    await vi.waitFor(() => expect(ctx.navigate).toHaveBeenCalledWith('/signin?next=%2Ftickets%2Ft1'));
  });

  it('shows a friendly not-found state for an unknown ticket', async () => {
    serve({ 'GET /api/tickets/t1': { status: 404, body: { errors: [{ message: 'Not found' }] } } });

    const view = await mountPage(ticketPage, context());

    expect(view.title).toBe('Ticket not found');
    expect(document.querySelector('h1')?.textContent).toBe('Ticket not found');
    expect(linkNamed('Browse tickets')?.getAttribute('href')).toBe('/tickets');
  });

  it('shows why the ticket could not load when the server fails', async () => {
    serve({});
    await mountPage(ticketPage, context());
    expect(document.querySelector('h1')?.textContent).toBe('This ticket could not be loaded');
    expect(document.body.textContent).toContain('Could not reach the server');
    expect(button('Try again')).toBeDefined();
  });

  describe('while it is open', () => {
    let visibility: DocumentVisibilityState = 'visible';
    const changed = () => document.querySelector('[data-testid="ticket-changed"]')?.textContent;
    const gets = (fetchMock: ReturnType<typeof serve>) => requests(fetchMock).filter((r) => r.call === 'GET /api/tickets/t1').length;

    beforeEach(() => {
      vi.useFakeTimers();
      visibility = 'visible';
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
      setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
    });

    afterEach(() => {
      vi.useRealTimers();
    });

    it('shows the ticket reserved, with no way to buy it, once someone else reserves it', async () => {
      serve({ 'GET /api/tickets/t1': [{ status: 200, body: makeTicket() }, { status: 200, body: makeTicket({ orderId: 'o9', version: 1 }) }] });
      await mountPage(ticketPage, context());
      button('Purchase')?.focus();
      expect(button('Purchase')?.disabled).toBe(false);

      await vi.advanceTimersByTimeAsync(TICKET_REFRESH_MS);

      expect(document.querySelector('[data-testid="reserved-badge"]')?.textContent).toBe('Reserved');
      const purchase = button('Purchase') as HTMLButtonElement;
      expect(purchase.disabled).toBe(true);
      expect(description(purchase)).toBe(RESERVED_PURCHASE_NOTE);
      expect(changed()).toBe(JUST_RESERVED_MESSAGE);
      expect(document.activeElement).toBe(document.querySelector('h1'));
    });

    it('offers Purchase again when the reservation lapses', async () => {
      serve({ 'GET /api/tickets/t1': [{ status: 200, body: makeTicket({ orderId: 'o9', version: 1 }) }, { status: 200, body: makeTicket({ version: 2 }) }] });
      await mountPage(ticketPage, context());
      expect(button('Purchase')?.disabled).toBe(true);

      await vi.advanceTimersByTimeAsync(TICKET_REFRESH_MS);

      expect(button('Purchase')?.disabled).toBe(false);
      expect(document.querySelector('[data-testid="reserved-badge"]')).toBeNull();
      expect(changed()).toBe(FOR_SALE_AGAIN_MESSAGE);
    });

    it('shows an edit by the seller, and leaves an unchanged ticket as it is', async () => {
      serve({
        'GET /api/tickets/t1': [
          { status: 200, body: makeTicket() },
          { status: 200, body: makeTicket() },
          { status: 200, body: makeTicket({ title: 'Opera night, row A', price: 3000, version: 1 }) },
        ],
      });
      await mountPage(ticketPage, context());
      const purchase = button('Purchase');

      await vi.advanceTimersByTimeAsync(TICKET_REFRESH_MS);
      expect(button('Purchase')).toBe(purchase);

      await vi.advanceTimersByTimeAsync(TICKET_REFRESH_MS);
      expect(document.querySelector('h1')?.textContent).toBe('Opera night, row A');
      expect(document.querySelector('[data-testid="ticket-price"]')?.textContent).toBe('$30.00');
      expect(changed()).toBe('');
    });

    it('asks nothing while the tab is hidden and asks again as soon as it is shown', async () => {
      const fetchMock = serve({ 'GET /api/tickets/t1': { status: 200, body: makeTicket() } });
      await mountPage(ticketPage, context());
      expect(gets(fetchMock)).toBe(1);

      visibility = 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(10 * TICKET_REFRESH_MS);
      expect(gets(fetchMock)).toBe(1);

      visibility = 'visible';
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(0);
      expect(gets(fetchMock)).toBe(2);
    });

    it('stops asking once the page has been left', async () => {
      const fetchMock = serve({ 'GET /api/tickets/t1': { status: 200, body: makeTicket() } });
      await mountPage(ticketPage, context());
      await vi.advanceTimersByTimeAsync(TICKET_REFRESH_MS);
      expect(gets(fetchMock)).toBe(2);

      document.body.replaceChildren();
      await vi.advanceTimersByTimeAsync(10 * TICKET_REFRESH_MS);
      expect(gets(fetchMock)).toBe(2);
    });
  });
});
