import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRICE_MESSAGES } from '../money';
import { setCurrentUser } from '../session';
import { makeTicket, mountPage, requests, routeContext, serve, submitForm } from '../test-support';
import { sellTicketPage } from './sell-ticket';

const form = () => document.querySelector('form') as HTMLFormElement;
const input = (name: string) => form().elements.namedItem(name) as HTMLInputElement;
const fieldBox = (name: string) => form().querySelector<HTMLElement>(`[data-field="${name}"]`) as HTMLElement;
const alertBox = () => form().querySelector<HTMLElement>('[role="alert"]') as HTMLElement;

function fill(title: string, price: string): void {
  input('title').value = title;
  input('price').value = price;
}

beforeEach(() => {
  setCurrentUser({ id: 'seller', email: 'seller@example.com' });
});

afterEach(() => {
  setCurrentUser(null);
  document.body.innerHTML = '';
});

describe('sellTicketPage', () => {
  it('sends a signed-out visitor to sign in, coming back here afterwards', () => {
    setCurrentUser(null);
    expect(sellTicketPage(routeContext('/tickets/new'))).toEqual({ redirect: '/signin?next=%2Ftickets%2Fnew' });
  });

  it('posts the price in cents and opens the new ticket', async () => {
    const fetchMock = serve({ 'POST /api/tickets': { status: 201, body: makeTicket({ id: 'new-1', title: 'Opera night', price: 1250 }) } });
    const context = routeContext('/tickets/new');
    await mountPage(sellTicketPage, context);
    expect(document.querySelector('h1')?.textContent).toBe('Sell a ticket');

    fill('  Opera night ', '12.5');
    submitForm(form());

    await vi.waitFor(() => expect(context.navigate).toHaveBeenCalledWith('/tickets/new-1'));
    expect(requests(fetchMock)).toEqual([{ call: 'POST /api/tickets', body: { title: 'Opera night', price: 1250 } }]);
  });

  it.each([
    ['abc', PRICE_MESSAGES.notANumber],
    ['0', PRICE_MESSAGES.tooSmall],
    ['0.25', PRICE_MESSAGES.tooSmall],
    ['-3', PRICE_MESSAGES.negative],
    ['12.345', PRICE_MESSAGES.tooManyDecimals],
  ])('refuses the price %j next to the price field without asking the server', async (price, message) => {
    const fetchMock = serve({});
    await mountPage(sellTicketPage, routeContext('/tickets/new'));

    fill('Opera night', price);
    submitForm(form());

    await vi.waitFor(() => expect(fieldBox('price').textContent).toContain(message));
    expect(input('price').getAttribute('aria-invalid')).toBe('true');
    expect(fieldBox('title').querySelector('.field-error')).toBeNull();
    expect(alertBox().hidden).toBe(true);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('asks for a title as well as a valid price, each next to its field', async () => {
    serve({});
    await mountPage(sellTicketPage, routeContext('/tickets/new'));

    fill('   ', '');
    submitForm(form());

    await vi.waitFor(() => expect(fieldBox('title').textContent).toContain('Title is required'));
    expect(fieldBox('price').textContent).toContain(PRICE_MESSAGES.missing);
    expect(document.activeElement).toBe(input('title'));
  });

  it("shows the server's errors next to the fields they name, and others in the alert", async () => {
    serve({
      'POST /api/tickets': [
        { status: 400, body: { errors: [{ message: 'Title must be at most 200 characters', field: 'title' }, { message: 'Price is too high', field: 'price' }] } },
        { status: 401, body: { errors: [{ message: 'Not authorized' }] } },
      ],
    });
    const context = routeContext('/tickets/new');
    await mountPage(sellTicketPage, context);
    fill('Opera night', '25');

    submitForm(form());

    await vi.waitFor(() => expect(fieldBox('title').textContent).toContain('Title must be at most 200 characters'));
    expect(fieldBox('price').textContent).toContain('Price is too high');
    expect(fieldBox('title').textContent).not.toContain('Price is too high');
    expect(alertBox().hidden).toBe(true);

    submitForm(form());

    await vi.waitFor(() => expect(alertBox().textContent).toBe('Not authorized'));
    expect(form().querySelectorAll('.field-error')).toHaveLength(0);
    expect(context.navigate).not.toHaveBeenCalled();
  });
});
