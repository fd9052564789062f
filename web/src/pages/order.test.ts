import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXPIRED_MESSAGE } from '../components/order-views';
import { setCurrentUser } from '../session';
import { makeOrder, mountPage, requests, routeContext, serve } from '../test-support';
import { CANCELLED_MESSAGE, EXPIRED_CANCELLED_MESSAGE, EXPIRY_POLL_ATTEMPTS, orderPage } from './order';

// makeOrder() expires at 18:45:00; one second after it was made, 14:59 are left.
const EXPIRES = Date.parse('2025-06-01T18:45:00Z');
const GET = 'GET /api/orders/o1';

const context = () => routeContext('/orders/o1', { id: 'o1' });
const button = (name: string) =>
  Array.from(document.querySelectorAll('button')).find((b) => b.textContent === name) as HTMLButtonElement | undefined;
const payLink = () => Array.from(document.querySelectorAll('a')).find((a) => a.textContent === 'Pay');
const status = () => document.querySelector('[data-testid="order-status"]');
const timer = () => document.querySelector<HTMLElement>('[data-testid="time-left"]') as HTMLElement;
const gets = (fetchMock: ReturnType<typeof serve>) => requests(fetchMock).filter((request) => request.call === GET).length;

beforeEach(() => {
  vi.useFakeTimers({ now: EXPIRES - 899_000 });
  setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
});

afterEach(() => {
  vi.useRealTimers();
  setCurrentUser(null);
  document.body.innerHTML = '';
});

describe('orderPage', () => {
  it('sends a signed-out visitor to sign in, coming back here', async () => {
    setCurrentUser(null);
    await expect(orderPage(context())).resolves.toEqual({ redirect: '/signin?next=%2Forders%2Fo1' });
  });

  it('shows the ticket, its price, the status and the time left to pay', async () => {
    serve({ [GET]: { status: 200, body: makeOrder({ ticket: { id: 't1', title: 'Opera night', price: 123450 } }) } });

    const view = await mountPage(orderPage, context());

    expect(view.title).toBe('Your order');
    expect(document.querySelector('h1')?.textContent).toBe('Opera night');
    expect(document.querySelector('h1 a')?.getAttribute('href')).toBe('/tickets/t1');
    expect(document.querySelector('[data-testid="order-price"]')?.textContent).toBe('$1,234.50');
    expect(status()?.textContent).toBe('Awaiting payment');
    expect(status()?.getAttribute('data-status')).toBe('created');
    expect(timer().hidden).toBe(false);
    expect(timer().textContent).toBe('Time left to pay: 14:59');
    expect(button('Cancel order')).toBeDefined();
    expect(payLink()?.getAttribute('href')).toBe('/orders/o1/payment');
  });

  it('counts down every second from expiresAt and the clock, not from a counter of its own', async () => {
    serve({ [GET]: { status: 200, body: makeOrder() } });
    await mountPage(orderPage, context());

    await vi.advanceTimersByTimeAsync(1000);
    expect(timer().textContent).toBe('Time left to pay: 14:58');
    await vi.advanceTimersByTimeAsync(1000);
    expect(timer().textContent).toBe('Time left to pay: 14:57');

    // The tab slept for five minutes: no timer ran, but the clock moved on.
    vi.setSystemTime(Date.now() + 5 * 60_000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(timer().textContent).toBe('Time left to pay: 09:56');
  });

  it('announces the time left only at whole minutes, at 30 and 10 seconds and at expiry, never every second', async () => {
    serve({ [GET]: { status: 200, body: makeOrder() } });
    await mountPage(orderPage, context());
    const announcer = document.querySelector<HTMLElement>('[data-testid="time-left-announcer"]') as HTMLElement;
    const heard: string[] = [];
    new MutationObserver(() => heard.push(announcer.textContent ?? '')).observe(announcer, { childList: true, characterData: true, subtree: true });

    expect(announcer.getAttribute('aria-live')).toBe('polite');
    expect(timer().getAttribute('aria-live')).toBeNull();
    expect(announcer.textContent).toBe('');

    await vi.advanceTimersByTimeAsync(899_000);

    expect(heard).toEqual([
      ...Array.from({ length: 14 }, (_, i) => (14 - i === 1 ? '1 minute left to pay' : `${14 - i} minutes left to pay`)),
      '30 seconds left to pay',
      '10 seconds left to pay',
      EXPIRED_MESSAGE,
    ]);
  });

  it('at zero says the reservation expired and polls the order until the server has cancelled it', async () => {
    const fetchMock = serve({
      [GET]: [
        { status: 200, body: makeOrder() },
        { status: 200, body: makeOrder() },
        { status: 500, body: { errors: [{ message: 'Something went wrong' }] } },
        { status: 200, body: makeOrder({ status: 'cancelled', version: 1 }) },
      ],
    });
    await mountPage(orderPage, context());

    await vi.advanceTimersByTimeAsync(898_000);
    expect(timer().textContent).toBe('Time left to pay: 00:01');
    expect(gets(fetchMock)).toBe(1);

    await vi.advanceTimersByTimeAsync(1000);
    expect(timer().textContent).toBe(EXPIRED_MESSAGE);
    expect(button('Cancel order')).toBeUndefined();
    expect(payLink()).toBeUndefined();
    expect(gets(fetchMock)).toBe(2); // refetched straight away: still created

    await vi.advanceTimersByTimeAsync(2000);
    expect(gets(fetchMock)).toBe(3); // a failed poll is just tried again
    expect(status()?.textContent).toBe('Awaiting payment');

    await vi.advanceTimersByTimeAsync(2000);
    expect(gets(fetchMock)).toBe(4);
    expect(status()?.textContent).toBe('Cancelled');
    expect(timer().hidden).toBe(true);
    expect(document.querySelector('[role="status"]')?.textContent).toBe(EXPIRED_CANCELLED_MESSAGE);

    await vi.advanceTimersByTimeAsync(30_000);
    expect(gets(fetchMock)).toBe(4);
  });

  it('stops polling after about 30 seconds if the order stays created', async () => {
    const fetchMock = serve({ [GET]: { status: 200, body: makeOrder() } });
    await mountPage(orderPage, context());

    await vi.advanceTimersByTimeAsync(899_000 + 60_000);

    expect(gets(fetchMock)).toBe(1 + EXPIRY_POLL_ATTEMPTS);
    expect(timer().textContent).toBe(EXPIRED_MESSAGE);
  });

  it('polls at once for an order that had already expired when the page opened', async () => {
    vi.setSystemTime(EXPIRES + 5000);
    const fetchMock = serve({
      [GET]: [{ status: 200, body: makeOrder() }, { status: 200, body: makeOrder({ status: 'cancelled' }) }],
    });

    await mountPage(orderPage, context());
    expect(timer().textContent).toBe(EXPIRED_MESSAGE);
    expect(payLink()).toBeUndefined();

    await vi.waitFor(() => expect(status()?.textContent).toBe('Cancelled'));
    expect(gets(fetchMock)).toBe(2);
  });

  it('stops its timers once the page is left', async () => {
    const fetchMock = serve({ [GET]: { status: 200, body: makeOrder() } });
    await mountPage(orderPage, context());

    document.body.replaceChildren();
    await vi.advanceTimersByTimeAsync(899_000 + 60_000);

    expect(gets(fetchMock)).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels after an inline confirmation, then shows the order cancelled', async () => {
    const fetchMock = serve({
      [GET]: { status: 200, body: makeOrder() },
      'DELETE /api/orders/o1': { status: 204 },
    });
    await mountPage(orderPage, context());

    button('Cancel order')?.click();
    expect(button('Cancel order')).toBeUndefined();
    expect(payLink()).toBeUndefined();
    expect(document.activeElement).toBe(button('Yes, cancel order'));
    button('Keep order')?.click();
    expect(button('Yes, cancel order')).toBeUndefined();
    expect(payLink()).toBeDefined();
    expect(document.activeElement).toBe(button('Cancel order'));
    expect(requests(fetchMock).map((request) => request.call)).toEqual([GET]);

    button('Cancel order')?.click();
    const yes = button('Yes, cancel order') as HTMLButtonElement;
    yes.click();
    expect(yes.disabled).toBe(true);

    await vi.waitFor(() => expect(status()?.textContent).toBe('Cancelled'));
    expect(requests(fetchMock).map((request) => request.call)).toEqual([GET, 'DELETE /api/orders/o1']);
    expect(status()?.getAttribute('data-status')).toBe('cancelled');
    expect(timer().hidden).toBe(true);
    expect(button('Cancel order')).toBeUndefined();
    expect(payLink()).toBeUndefined();
    expect(document.querySelector('[role="status"]')?.textContent).toBe(CANCELLED_MESSAGE);

    // The countdown is over: no expiry, no polling.
    await vi.advanceTimersByTimeAsync(899_000 + 60_000);
    expect(requests(fetchMock)).toHaveLength(2);
  });

  it('shows why a completed order could not be cancelled, and the order as it now is', async () => {
    serve({
      [GET]: [{ status: 200, body: makeOrder() }, { status: 200, body: makeOrder({ status: 'complete', version: 1 }) }],
      'DELETE /api/orders/o1': { status: 409, body: { errors: [{ message: 'A completed order cannot be cancelled' }] } },
    });
    await mountPage(orderPage, context());

    button('Cancel order')?.click();
    button('Yes, cancel order')?.click();

    await vi.waitFor(() => expect(status()?.textContent).toBe('Complete'));
    expect(document.querySelector('[role="alert"]')?.textContent).toBe('A completed order cannot be cancelled');
    expect(button('Cancel order')).toBeUndefined();
    expect(timer().hidden).toBe(true);
  });

  it('keeps the confirmation when cancelling fails for another reason', async () => {
    serve({ [GET]: { status: 200, body: makeOrder() } });
    await mountPage(orderPage, context());

    button('Cancel order')?.click();
    button('Yes, cancel order')?.click();

    await vi.waitFor(() => expect(document.querySelector('[role="alert"]')?.textContent).toContain('Could not reach the server'));
    expect(button('Yes, cancel order')?.disabled).toBe(false);
    expect(status()?.textContent).toBe('Awaiting payment');
  });

  it('shows a paid order as complete, without countdown, Pay or Cancel', async () => {
    serve({ [GET]: { status: 200, body: makeOrder({ status: 'complete' }) } });
    await mountPage(orderPage, context());
    expect(status()?.textContent).toBe('Complete');
    expect(status()?.getAttribute('data-status')).toBe('complete');
    expect(timer().hidden).toBe(true);
    expect(button('Cancel order')).toBeUndefined();
    expect(payLink()).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows a friendly not-found state for an unknown order or someone else\'s', async () => {
    serve({ [GET]: { status: 404, body: { errors: [{ message: 'Not found' }] } } });

    const view = await mountPage(orderPage, context());

    expect(view.title).toBe('Order not found');
    expect(document.querySelector('h1')?.textContent).toBe('Order not found');
    expect(Array.from(document.querySelectorAll('a')).find((a) => a.textContent === 'My orders')?.getAttribute('href')).toBe('/orders');
  });

  it('shows why the order could not load, with a retry', async () => {
    serve({});
    await mountPage(orderPage, context());
    expect(document.querySelector('h1')?.textContent).toBe('This order could not be loaded');
    expect(button('Try again')).toBeDefined();
  });
});
