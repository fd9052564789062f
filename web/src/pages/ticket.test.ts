import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCurrentUser } from '../session';
import { makeOrder, makeTicket, mountPage, requestHeaders, requests, routeContext, serve } from '../test-support';
import { ALREADY_RESERVED_MESSAGE, OWN_TICKET_NOTE, RESERVED_EDIT_NOTE, ticketPage } from './ticket';

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
});
