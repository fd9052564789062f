import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCurrentUser } from '../session';
import { makeTicket, mountPage, requests, routeContext, serve, submitForm } from '../test-support';
import { NOW_RESERVED_MESSAGE, RELOADED_MESSAGE, editTicketPage } from './edit-ticket';

const STALE = 'This ticket was changed by someone else. Reload to see the latest version.';
const context = () => routeContext('/tickets/t1/edit', { id: 't1' });
const form = () => document.querySelector('form') as HTMLFormElement;
const input = (name: string) => form().elements.namedItem(name) as HTMLInputElement;
const fieldBox = (name: string) => form().querySelector<HTMLElement>(`[data-field="${name}"]`) as HTMLElement;
const alertBox = () => form().querySelector<HTMLElement>('[role="alert"]') as HTMLElement;
const button = (name: string) =>
  Array.from(document.querySelectorAll('button')).find((b) => b.textContent === name) as HTMLButtonElement | undefined;

beforeEach(() => {
  setCurrentUser({ id: 'seller', email: 'seller@example.com' });
});

afterEach(() => {
  setCurrentUser(null);
  document.body.innerHTML = '';
});

describe('editTicketPage', () => {
  it('sends a signed-out visitor to sign in, coming back here afterwards', async () => {
    setCurrentUser(null);
    await expect(editTicketPage(context())).resolves.toEqual({ redirect: '/signin?next=%2Ftickets%2Ft1%2Fedit' });
  });

  it('prefills the form and sends the loaded version with the new price in cents', async () => {
    const fetchMock = serve({
      'GET /api/tickets/t1': { status: 200, body: makeTicket({ title: 'Opera night', price: 2500, version: 3 }) },
      'PUT /api/tickets/t1': { status: 200, body: makeTicket({ title: 'Opera night', price: 3050, version: 4 }) },
    });
    const ctx = context();
    const view = await mountPage(editTicketPage, ctx);
    expect(view.title).toBe('Edit ticket');
    expect(input('title').value).toBe('Opera night');
    expect(input('price').value).toBe('25.00');

    input('price').value = '30.50';
    submitForm(form());

    await vi.waitFor(() => expect(ctx.navigate).toHaveBeenCalledWith('/tickets/t1'));
    expect(requests(fetchMock)[1]).toEqual({ call: 'PUT /api/tickets/t1', body: { title: 'Opera night', price: 3050, version: 3 } });
  });

  it('shows 400 errors next to their fields and 403 in the alert', async () => {
    serve({
      'GET /api/tickets/t1': { status: 200, body: makeTicket() },
      'PUT /api/tickets/t1': [
        { status: 400, body: { errors: [{ message: 'Price must be a positive number of cents', field: 'price' }] } },
        { status: 403, body: { errors: [{ message: 'You do not own this ticket' }] } },
      ],
    });
    const ctx = context();
    await mountPage(editTicketPage, ctx);

    submitForm(form());
    await vi.waitFor(() => expect(fieldBox('price').textContent).toContain('Price must be a positive number of cents'));
    expect(alertBox().hidden).toBe(true);

    submitForm(form());
    await vi.waitFor(() => expect(alertBox().textContent).toBe('You do not own this ticket'));
    expect(form().querySelectorAll('.field-error')).toHaveLength(0);
    expect(ctx.navigate).not.toHaveBeenCalled();
  });

  it('on a stale version shows the conflict with Reload, which fetches the latest ticket and its version', async () => {
    const fetchMock = serve({
      'GET /api/tickets/t1': [
        { status: 200, body: makeTicket({ title: 'Opera night', price: 2500, version: 0 }) },
        { status: 200, body: makeTicket({ title: 'Opera night, row F', price: 2700, version: 1 }) },
      ],
      'PUT /api/tickets/t1': [
        { status: 409, body: { errors: [{ message: STALE }] } },
        { status: 200, body: makeTicket({ version: 2 }) },
      ],
    });
    const ctx = context();
    await mountPage(editTicketPage, ctx);
    input('price').value = '30';

    submitForm(form());

    await vi.waitFor(() => expect(alertBox().hidden).toBe(false));
    expect(alertBox().textContent).toContain(STALE);
    expect(ctx.navigate).not.toHaveBeenCalled();
    const reload = button('Reload') as HTMLButtonElement;
    expect(alertBox().contains(reload)).toBe(true);

    reload.click();

    await vi.waitFor(() => expect(input('title').value).toBe('Opera night, row F'));
    expect(input('price').value).toBe('27.00');
    expect(alertBox().hidden).toBe(true);
    expect(button('Reload')).toBeUndefined();
    expect(document.querySelector('[role="status"]')?.textContent).toBe(RELOADED_MESSAGE);

    input('price').value = '30';
    submitForm(form());

    await vi.waitFor(() => expect(ctx.navigate).toHaveBeenCalledWith('/tickets/t1'));
    const puts = requests(fetchMock).filter((request) => request.call.startsWith('PUT'));
    expect(puts.map((request) => request.body)).toEqual([
      { title: 'Opera night', price: 3000, version: 0 },
      { title: 'Opera night, row F', price: 3000, version: 1 },
    ]);
  });

  it('shows "Cannot edit a reserved ticket" in the alert, and Reload then says it is reserved', async () => {
    serve({
      'GET /api/tickets/t1': [
        { status: 200, body: makeTicket() },
        { status: 200, body: makeTicket({ orderId: 'o1', version: 1 }) },
      ],
      'PUT /api/tickets/t1': { status: 409, body: { errors: [{ message: 'Cannot edit a reserved ticket' }] } },
    });
    await mountPage(editTicketPage, context());

    submitForm(form());
    await vi.waitFor(() => expect(alertBox().textContent).toContain('Cannot edit a reserved ticket'));

    button('Reload')?.click();
    await vi.waitFor(() => expect(alertBox().textContent).toBe(NOW_RESERVED_MESSAGE));
  });

  it('does not offer the form to someone who is not the seller, or for a reserved ticket', async () => {
    setCurrentUser({ id: 'someone-else', email: 'x@example.com' });
    serve({ 'GET /api/tickets/t1': { status: 200, body: makeTicket() } });
    await mountPage(editTicketPage, context());
    expect(document.querySelector('form')).toBeNull();
    expect(document.querySelector('h1')?.textContent).toBe("You can't edit this ticket");

    setCurrentUser({ id: 'seller', email: 'seller@example.com' });
    serve({ 'GET /api/tickets/t1': { status: 200, body: makeTicket({ orderId: 'o1' }) } });
    await mountPage(editTicketPage, context());
    expect(document.querySelector('form')).toBeNull();
    expect(document.querySelector('h1')?.textContent).toBe('This ticket is reserved');
  });

  it('shows the not-found state for an unknown ticket', async () => {
    serve({ 'GET /api/tickets/t1': { status: 404, body: { errors: [{ message: 'Not found' }] } } });
    await mountPage(editTicketPage, context());
    expect(document.querySelector('h1')?.textContent).toBe('Ticket not found');
  });
});
