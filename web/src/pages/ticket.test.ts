import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setCurrentUser } from '../session';
import { makeTicket, mountPage, routeContext, serve } from '../test-support';
import { PURCHASE_SOON_MESSAGE, RESERVED_EDIT_NOTE, ticketPage } from './ticket';

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

  it('tells a signed-in buyer that purchasing opens soon', async () => {
    setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
    serveTicket();
    const ctx = context();
    await mountPage(ticketPage, ctx);

    button('Purchase')?.click();

    expect(document.querySelector('[role="status"]')?.textContent).toBe(PURCHASE_SOON_MESSAGE);
    expect(ctx.navigate).not.toHaveBeenCalled();
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
