import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCurrentUser } from '../session';
import { makeOrder, mountPage, routeContext, serve } from '../test-support';
import { ordersPage } from './orders';

const NOW = Date.parse('2025-06-01T18:30:01Z');

const rows = () =>
  Array.from(document.querySelectorAll('ul[aria-label="My orders"] li a')).map((a) => ({
    href: a.getAttribute('href'),
    title: a.querySelector('h2')?.textContent,
    price: a.querySelector('h2 + p')?.textContent,
    status: a.querySelector('[data-testid="order-status"]')?.textContent,
    timeLeft: a.querySelector('[data-testid="time-left"]')?.textContent ?? null,
  }));
const linkNamed = (name: string) => Array.from(document.querySelectorAll('a')).find((a) => a.textContent === name);

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
});

afterEach(() => {
  vi.useRealTimers();
  setCurrentUser(null);
  document.body.innerHTML = '';
});

describe('ordersPage', () => {
  it('sends a signed-out visitor to sign in, coming back here', async () => {
    setCurrentUser(null);
    await expect(ordersPage(routeContext('/orders'))).resolves.toEqual({ redirect: '/signin?next=%2Forders' });
  });

  it('lists the orders newest first with price, status and, while awaiting payment, the time left', async () => {
    serve({
      'GET /api/orders': {
        status: 200,
        body: {
          orders: [
            makeOrder({
              id: 'o1',
              status: 'cancelled',
              createdAt: '2025-05-30T10:00:00Z',
              ticket: { id: 't1', title: 'Opera night', price: 123450 },
            }),
            makeOrder({ id: 'o/2', ticket: { id: 't2', title: '<b>Jazz</b>', price: 7 } }),
            makeOrder({ id: 'o3', status: 'complete', createdAt: '2025-05-31T10:00:00Z' }),
          ],
        },
      },
    });

    const view = await mountPage(ordersPage, routeContext('/orders'));

    expect(view.title).toBe('My orders');
    expect(document.querySelector('h1')?.textContent).toBe('My orders');
    expect(rows()).toEqual([
      { href: '/orders/o%2F2', title: '<b>Jazz</b>', price: '$0.07', status: 'Awaiting payment', timeLeft: '14:59 left to pay' },
      { href: '/orders/o3', title: 'The Midnight Orchestra', price: '$25.00', status: 'Complete', timeLeft: null },
      { href: '/orders/o1', title: 'Opera night', price: '$1,234.50', status: 'Cancelled', timeLeft: null },
    ]);
    expect(document.querySelector('b')).toBeNull();

    await vi.advanceTimersByTimeAsync(60_000);
    expect(rows()[0]?.timeLeft).toBe('13:59 left to pay');

    await vi.advanceTimersByTimeAsync(14 * 60_000);
    expect(rows()[0]?.timeLeft).toBe('Reservation expired');
  });

  it('has an empty state that links to the tickets', async () => {
    serve({ 'GET /api/orders': { status: 200, body: { orders: [] } } });

    await mountPage(ordersPage, routeContext('/orders'));

    expect(document.body.textContent).toContain('No orders yet');
    expect(linkNamed('Browse tickets')?.getAttribute('href')).toBe('/tickets');
    expect(document.querySelector('ul')).toBeNull();
  });

  it('sends a user whose session ended to sign in', async () => {
    serve({ 'GET /api/orders': { status: 401, body: { errors: [{ message: 'Not authorized' }] } } });
    await expect(ordersPage(routeContext('/orders'))).resolves.toEqual({ redirect: '/signin?next=%2Forders' });
  });

  it('shows why the list could not load, with a retry', async () => {
    serve({});
    await mountPage(ordersPage, routeContext('/orders'));
    expect(document.querySelector('h1')?.textContent).toBe('Your orders could not be loaded');
    expect(document.body.textContent).toContain('Could not reach the server');
  });
});
