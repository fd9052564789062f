import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXPIRED_MESSAGE } from '../components/order-views';
import { PAYMENT_RETRY_DELAYS_MS } from '../payments';
import { setCurrentUser } from '../session';
import { STRIPE_LOAD_FAILED_MESSAGE, type PaymentIntentResult } from '../stripe';
import {
  SUCCEEDED,
  declined,
  fakeStripe,
  makeOrder,
  makePayment,
  mountPage,
  requests,
  routeContext,
  serve,
  submitForm,
} from '../test-support';
import {
  ALREADY_PAID_HEADING,
  CANCELLED_HEADING,
  CONFIRMING_MESSAGE,
  CONFIRM_POLL_ATTEMPTS,
  CONFIRM_SLOW_MESSAGE,
  EXPIRED_HEADING,
  ORDER_COMPLETE_HEADING,
  PAID_TOO_LATE_MESSAGE,
  PAYMENT_FAILED_MESSAGE,
  PAYMENT_RECEIVED_HEADING,
  PAYMENT_TITLE,
  PREPARING_MESSAGE,
  PROCESSING_LABEL,
  RAN_OUT_MESSAGE,
  paymentPage,
} from './payment';

// makeOrder() expires at 18:45:00; the page opens with 14:59 left.
const EXPIRES = Date.parse('2025-06-01T18:45:00Z');
const GET = 'GET /api/orders/o1';
const POST = 'POST /api/payments';
const created = { status: 200, body: makeOrder() };
const payment = { status: 201, body: makePayment() };

const context = () => routeContext('/orders/o1/payment', { id: 'o1' });
const form = () => document.querySelector<HTMLFormElement>('#payment-form');
const payButton = () => form()?.querySelector<HTMLButtonElement>('button[type="submit"]') ?? null;
const shownAlert = () => document.querySelector<HTMLElement>('[role="alert"]:not([hidden])');
const heading = () => document.querySelector('h1')?.textContent;
const timer = () => document.querySelector<HTMLElement>('[data-testid="time-left"]') as HTMLElement;
const linkNamed = (name: string) => Array.from(document.querySelectorAll('a')).find((a) => a.textContent === name);
const buttonNamed = (name: string) => Array.from(document.querySelectorAll('button')).find((b) => b.textContent === name);
const calls = (fetchMock: ReturnType<typeof serve>, call: string) => requests(fetchMock).filter((request) => request.call === call).length;

/** Renders the page and waits until the card form is up. */
async function openReady(): Promise<void> {
  await mountPage(paymentPage, context());
  await vi.waitFor(() => expect(payButton()).not.toBeNull());
}

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

beforeEach(() => {
  vi.useFakeTimers({ now: EXPIRES - 899_000 });
  setCurrentUser({ id: 'buyer', email: 'buyer@example.com' });
});

afterEach(() => {
  vi.useRealTimers();
  setCurrentUser(null);
  document.body.innerHTML = '';
});

describe('paymentPage', () => {
  it('sends a signed-out visitor to sign in, coming back here', async () => {
    setCurrentUser(null);
    await expect(paymentPage(context())).resolves.toEqual({ redirect: '/signin?next=%2Forders%2Fo1%2Fpayment' });
  });

  it('shows the ticket, the amount and the countdown, then mounts Stripe’s card form for the order’s PaymentIntent', async () => {
    const fetchMock = serve({ [GET]: created, [POST]: payment });
    const stripe = fakeStripe();

    const view = await mountPage(paymentPage, context());

    expect(view.title).toBe(PAYMENT_TITLE);
    expect(heading()).toBe(PAYMENT_TITLE);
    expect(document.querySelector('[data-testid="payment-ticket"]')?.textContent).toBe('The Midnight Orchestra');
    expect(document.querySelector('[data-testid="payment-amount"]')?.textContent).toBe('$25.00');
    expect(timer().textContent).toBe('Time left to pay: 14:59');
    expect(document.querySelector('[role="status"]')?.textContent).toBe(PREPARING_MESSAGE);

    await vi.waitFor(() => expect(payButton()).not.toBeNull());
    expect(requests(fetchMock)).toEqual([
      { call: GET, body: undefined },
      { call: POST, body: { orderId: 'o1' } },
    ]);
    expect(stripe.Stripe).toHaveBeenCalledExactlyOnceWith('pk_test_1');
    expect(stripe.create).toHaveBeenCalledWith('card', expect.anything());
    const slot = document.querySelector('[data-testid="card-element"]');
    expect(stripe.card.mount).toHaveBeenCalledExactlyOnceWith(slot);
    expect(slot?.querySelector('input[aria-label="Card number"]')).not.toBeNull();
    expect(payButton()?.textContent).toBe('Pay $25.00');
    expect(payButton()?.disabled).toBe(false);
    expect(shownAlert()).toBeNull();
    expect(document.body.textContent).not.toContain(PREPARING_MESSAGE);
    expect(linkNamed('← Back to your order')?.getAttribute('href')).toBe('/orders/o1');
  });

  it('pays: "Processing…" while Stripe confirms, then "Payment received", then polls the order until it is complete', async () => {
    const fetchMock = serve({
      [GET]: [created, created, { status: 500, body: { errors: [{ message: 'Something went wrong' }] } }, { status: 200, body: makeOrder({ status: 'complete', version: 1 }) }],
      [POST]: payment,
    });
    const stripe = fakeStripe();
    const charge = deferred<PaymentIntentResult>();
    stripe.confirmCardPayment.mockImplementationOnce(() => charge.promise);
    await openReady();

    submitForm(form() as HTMLFormElement);
    expect(payButton()?.disabled).toBe(true);
    expect(payButton()?.textContent).toBe(PROCESSING_LABEL);
    expect(stripe.confirmCardPayment).toHaveBeenCalledExactlyOnceWith('pi_1_secret_abc', { payment_method: { card: stripe.card } });
    submitForm(form() as HTMLFormElement);
    expect(stripe.confirmCardPayment).toHaveBeenCalledTimes(1);

    charge.resolve(SUCCEEDED);
    await vi.waitFor(() => expect(heading()).toBe(PAYMENT_RECEIVED_HEADING));
    expect(document.activeElement).toBe(document.querySelector('h1'));
    expect(document.querySelector('[data-testid="payment-received"]')?.textContent).toBe('$25.00 paid by card.');
    expect(form()).toBeNull();
    expect(stripe.card.destroy).toHaveBeenCalledTimes(1);
    expect(timer().hidden).toBe(true);
    expect(calls(fetchMock, GET)).toBe(2); // asked straight away: still created
    expect(document.querySelector('[role="status"]')?.textContent).toBe(CONFIRMING_MESSAGE);

    await vi.advanceTimersByTimeAsync(1000);
    expect(calls(fetchMock, GET)).toBe(3); // a failed poll is just tried again
    expect(document.body.textContent).toContain(CONFIRMING_MESSAGE);

    await vi.advanceTimersByTimeAsync(1000);
    expect(calls(fetchMock, GET)).toBe(4);
    expect(document.querySelector('[role="status"] h2')?.textContent).toBe(ORDER_COMPLETE_HEADING);
    expect(linkNamed('View order')?.getAttribute('href')).toBe('/orders/o1');
    expect(linkNamed('My orders')?.getAttribute('href')).toBe('/orders');

    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls(fetchMock, GET)).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
    expect(document.body.textContent).not.toContain(EXPIRED_MESSAGE);
  });

  it('says a payment that arrived after the order was cancelled will be refunded', async () => {
    serve({ [GET]: [created, { status: 200, body: makeOrder({ status: 'cancelled', version: 1 }) }], [POST]: payment });
    fakeStripe();
    await openReady();

    submitForm(form() as HTMLFormElement);

    await vi.waitFor(() => expect(document.body.textContent).toContain(PAID_TOO_LATE_MESSAGE));
    expect(document.body.textContent).not.toContain(ORDER_COMPLETE_HEADING);
    expect(linkNamed('View order')?.getAttribute('href')).toBe('/orders/o1');
  });

  it('stops asking after about 30 seconds if the order is still not complete, and says so', async () => {
    const fetchMock = serve({ [GET]: created, [POST]: payment });
    fakeStripe();
    await openReady();

    submitForm(form() as HTMLFormElement);
    await vi.waitFor(() => expect(heading()).toBe(PAYMENT_RECEIVED_HEADING));
    await vi.advanceTimersByTimeAsync(120_000);

    expect(calls(fetchMock, GET)).toBe(1 + CONFIRM_POLL_ATTEMPTS);
    expect(document.body.textContent).toContain(CONFIRM_SLOW_MESSAGE);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows a decline and lets the buyer try another card until one goes through', async () => {
    serve({ [GET]: [created, { status: 200, body: makeOrder({ status: 'complete', version: 1 }) }], [POST]: payment });
    const stripe = fakeStripe([
      declined('Your card was declined.'),
      declined('Your card has insufficient funds.', 'insufficient_funds'),
      SUCCEEDED,
    ]);
    await openReady();

    submitForm(form() as HTMLFormElement);
    await vi.waitFor(() => expect(shownAlert()?.textContent).toBe('Your card was declined.'));
    expect(payButton()?.disabled).toBe(false);
    expect(payButton()?.textContent).toBe('Pay $25.00');
    expect(form()?.getAttribute('aria-busy')).toBe('false');
    expect(stripe.card.destroy).not.toHaveBeenCalled();

    submitForm(form() as HTMLFormElement);
    expect(shownAlert()).toBeNull(); // the old message goes while the new card is tried
    await vi.waitFor(() => expect(shownAlert()?.textContent).toBe('Your card has insufficient funds.'));
    expect(payButton()?.disabled).toBe(false);

    submitForm(form() as HTMLFormElement);
    await vi.waitFor(() => expect(document.querySelector('[role="status"] h2')?.textContent).toBe(ORDER_COMPLETE_HEADING));
    expect(stripe.confirmCardPayment).toHaveBeenCalledTimes(3);
  });

  it('says something even when Stripe gives no reason, or throws', async () => {
    serve({ [GET]: created, [POST]: payment });
    const stripe = fakeStripe([{ error: { type: 'api_error' } }]);
    await openReady();

    submitForm(form() as HTMLFormElement);
    await vi.waitFor(() => expect(shownAlert()?.textContent).toBe(PAYMENT_FAILED_MESSAGE));

    stripe.confirmCardPayment.mockRejectedValueOnce(new Error('IntegrationError'));
    submitForm(form() as HTMLFormElement);
    expect(shownAlert()).toBeNull();
    await vi.waitFor(() => expect(shownAlert()?.textContent).toBe(PAYMENT_FAILED_MESSAGE));
    expect(payButton()?.disabled).toBe(false);
  });

  it('shows what the card element finds wrong as it is typed, and clears it once fixed', async () => {
    serve({ [GET]: created, [POST]: payment });
    const stripe = fakeStripe();
    await openReady();

    stripe.change({ error: { code: 'invalid_number', message: 'Your card number is invalid.' } });
    expect(shownAlert()?.textContent).toBe('Your card number is invalid.');

    stripe.change({ complete: true, error: undefined });
    expect(shownAlert()).toBeNull();
  });

  it('shows no card form for a cancelled order', async () => {
    const fetchMock = serve({ [GET]: { status: 200, body: makeOrder({ status: 'cancelled' }) } });
    const stripe = fakeStripe();

    const view = await mountPage(paymentPage, context());

    expect(view.title).toBe(CANCELLED_HEADING);
    expect(heading()).toBe(CANCELLED_HEADING);
    expect(linkNamed('View order')?.getAttribute('href')).toBe('/orders/o1');
    expect(linkNamed('View ticket')?.getAttribute('href')).toBe('/tickets/t1');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(form()).toBeNull();
    expect(requests(fetchMock).map((request) => request.call)).toEqual([GET]);
    expect(stripe.Stripe).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows no card form for an order that is already paid', async () => {
    const fetchMock = serve({ [GET]: { status: 200, body: makeOrder({ status: 'complete' }) } });

    await mountPage(paymentPage, context());

    expect(heading()).toBe(ALREADY_PAID_HEADING);
    expect(linkNamed('View order')?.getAttribute('href')).toBe('/orders/o1');
    expect(form()).toBeNull();
    expect(requests(fetchMock)).toHaveLength(1);
  });

  it('shows no card form once the time to pay is over, even before the server has cancelled the order', async () => {
    vi.setSystemTime(EXPIRES + 1000);
    const fetchMock = serve({ [GET]: created });

    await mountPage(paymentPage, context());

    expect(heading()).toBe(EXPIRED_HEADING);
    expect(form()).toBeNull();
    expect(requests(fetchMock)).toHaveLength(1);
  });

  it('asks again while the payments service does not know the new order yet (404), then shows the form', async () => {
    const notYet = { status: 404, body: { errors: [{ message: 'Order not found' }] } };
    const fetchMock = serve({ [GET]: created, [POST]: [notYet, notYet, payment] });
    fakeStripe();

    await mountPage(paymentPage, context());
    await vi.advanceTimersByTimeAsync(0);
    expect(calls(fetchMock, POST)).toBe(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(calls(fetchMock, POST)).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls(fetchMock, POST)).toBe(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls(fetchMock, POST)).toBe(3);

    await vi.waitFor(() => expect(payButton()?.textContent).toBe('Pay $25.00'));
    expect(shownAlert()).toBeNull();
  });

  it('gives up on the 404s after about 8 seconds and shows the error, with a retry', async () => {
    const fetchMock = serve({ [GET]: created, [POST]: { status: 404, body: { errors: [{ message: 'Order not found' }] } } });
    const stripe = fakeStripe();
    const ctx = context();

    await mountPage(paymentPage, ctx);
    await vi.advanceTimersByTimeAsync(7000);
    expect(shownAlert()).toBeNull();
    await vi.advanceTimersByTimeAsync(1000);

    expect(calls(fetchMock, POST)).toBe(1 + PAYMENT_RETRY_DELAYS_MS.length);
    expect(shownAlert()?.textContent).toBe('Order not found');
    expect(form()).toBeNull();
    expect(stripe.Stripe).not.toHaveBeenCalled();

    buttonNamed('Try again')?.click();
    expect(ctx.navigate).toHaveBeenCalledWith('/orders/o1/payment', { replace: true });
  });

  it('shows why card payments are unavailable (503) and lets the buyer try again', async () => {
    const message = 'Card payments are not available right now. Your reservation is kept; please try again in a moment.';
    serve({ [GET]: created, [POST]: { status: 503, body: { errors: [{ message }] } } });
    const stripe = fakeStripe();
    const ctx = context();

    await mountPage(paymentPage, ctx);

    await vi.waitFor(() => expect(shownAlert()?.textContent).toBe(message));
    expect(form()).toBeNull();
    expect(stripe.Stripe).not.toHaveBeenCalled();
    buttonNamed('Try again')?.click();
    expect(ctx.navigate).toHaveBeenCalledWith('/orders/o1/payment', { replace: true });
  });

  it('shows why the order can no longer be paid (409), without a retry', async () => {
    serve({ [GET]: created, [POST]: { status: 409, body: { errors: [{ message: 'This order can no longer be paid' }] } } });
    fakeStripe();

    await mountPage(paymentPage, context());

    await vi.waitFor(() => expect(shownAlert()?.textContent).toBe('This order can no longer be paid'));
    expect(buttonNamed('Try again')).toBeUndefined();
    expect(linkNamed('View order')?.getAttribute('href')).toBe('/orders/o1');
    expect(form()).toBeNull();
  });

  it('shows the payment as received, not a card form, when the order is paid but not yet complete (409 order_paid)', async () => {
    const paidAlready = { status: 409, body: { errors: [{ message: 'This order is already paid', code: 'order_paid' }] } };
    const fetchMock = serve({
      [GET]: [created, created, { status: 200, body: makeOrder({ status: 'complete', version: 1 }) }],
      [POST]: paidAlready,
    });
    const stripe = fakeStripe();

    await mountPage(paymentPage, context());

    await vi.waitFor(() => expect(heading()).toBe(PAYMENT_RECEIVED_HEADING));
    expect(document.querySelector('[data-testid="payment-received"]')?.textContent).toBe('$25.00 paid by card.');
    expect(form()).toBeNull();
    expect(shownAlert()).toBeNull();
    expect(stripe.Stripe).not.toHaveBeenCalled();
    expect(timer().hidden).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls(fetchMock, GET)).toBe(3);
    expect(document.querySelector('[role="status"] h2')?.textContent).toBe(ORDER_COMPLETE_HEADING);
    expect(calls(fetchMock, POST)).toBe(1);
  });

  it('sends a user whose session ended to sign in, coming back here', async () => {
    serve({ [GET]: created, [POST]: { status: 401, body: { errors: [{ message: 'Not authorized' }] } } });
    const ctx = context();

    await mountPage(paymentPage, ctx);

    await vi.waitFor(() => expect(ctx.navigate).toHaveBeenCalledWith('/signin?next=%2Forders%2Fo1%2Fpayment'));
  });

  it('loads Stripe.js from the URL the payments API names, and says so if it cannot', async () => {
    serve({ [GET]: created, [POST]: payment });
    const scripts: HTMLScriptElement[] = [];
    vi.spyOn(document.head, 'appendChild').mockImplementation(<T extends Node>(node: T): T => {
      if (node instanceof HTMLScriptElement) scripts.push(node);
      return node;
    });

    await mountPage(paymentPage, context());
    await vi.waitFor(() => expect(scripts).toHaveLength(1));
    expect(scripts[0]?.src).toBe('https://js.stripe.test/v3/');

    scripts[0]?.dispatchEvent(new Event('error'));
    await vi.waitFor(() => expect(shownAlert()?.textContent).toBe(STRIPE_LOAD_FAILED_MESSAGE));
    expect(buttonNamed('Try again')).toBeDefined();
    expect(form()).toBeNull();
  });

  it('takes the card form away when the time runs out', async () => {
    serve({ [GET]: created, [POST]: payment });
    const stripe = fakeStripe();
    await openReady();

    await vi.advanceTimersByTimeAsync(899_000);

    expect(timer().textContent).toBe(EXPIRED_MESSAGE);
    expect(form()).toBeNull();
    expect(stripe.card.destroy).toHaveBeenCalledTimes(1);
    expect(document.querySelector('[role="status"]')?.textContent).toBe(RAN_OUT_MESSAGE);
    expect(linkNamed('View order')?.getAttribute('href')).toBe('/orders/o1');
  });

  it('lets a charge that is under way when the time runs out finish', async () => {
    serve({ [GET]: [created, { status: 200, body: makeOrder({ status: 'cancelled', version: 1 }) }], [POST]: payment });
    const stripe = fakeStripe();
    const charge = deferred<PaymentIntentResult>();
    stripe.confirmCardPayment.mockImplementationOnce(() => charge.promise);
    await openReady();

    submitForm(form() as HTMLFormElement);
    await vi.advanceTimersByTimeAsync(899_000);
    expect(timer().textContent).toBe(EXPIRED_MESSAGE);
    expect(payButton()?.textContent).toBe(PROCESSING_LABEL);
    expect(stripe.card.destroy).not.toHaveBeenCalled();

    charge.resolve(SUCCEEDED);
    await vi.waitFor(() => expect(document.body.textContent).toContain(PAID_TOO_LATE_MESSAGE));
    expect(heading()).toBe(PAYMENT_RECEIVED_HEADING);
  });

  it('shows a decline that comes back after the time ran out, and then the form goes', async () => {
    serve({ [GET]: created, [POST]: payment });
    const stripe = fakeStripe();
    const charge = deferred<PaymentIntentResult>();
    stripe.confirmCardPayment.mockImplementationOnce(() => charge.promise);
    await openReady();

    submitForm(form() as HTMLFormElement);
    await vi.advanceTimersByTimeAsync(899_000);
    charge.resolve(declined('Your card was declined.'));

    await vi.waitFor(() => expect(document.querySelector('[role="status"]')?.textContent).toBe(RAN_OUT_MESSAGE));
    expect(form()).toBeNull();
    expect(stripe.card.destroy).toHaveBeenCalledTimes(1);
  });

  it('destroys the card form and stops its timers once the page is left', async () => {
    const fetchMock = serve({ [GET]: created, [POST]: payment });
    const stripe = fakeStripe();
    await openReady();

    document.body.replaceChildren();
    await vi.advanceTimersByTimeAsync(1000);

    expect(stripe.card.destroy).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(899_000 + 60_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(requests(fetchMock)).toHaveLength(2);
  });

  it('leaves a charge under way to finish when the page is left, then destroys the card form', async () => {
    const fetchMock = serve({ [GET]: created, [POST]: payment });
    const stripe = fakeStripe();
    const charge = deferred<PaymentIntentResult>();
    stripe.confirmCardPayment.mockImplementationOnce(() => charge.promise);
    await openReady();

    submitForm(form() as HTMLFormElement);
    document.body.replaceChildren();
    await vi.advanceTimersByTimeAsync(2000);
    expect(stripe.card.destroy).not.toHaveBeenCalled();

    charge.resolve(SUCCEEDED);
    await vi.waitFor(() => expect(stripe.card.destroy).toHaveBeenCalledTimes(1));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls(fetchMock, GET)).toBe(1); // nobody is looking: no polling
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows a friendly not-found state for an unknown order', async () => {
    serve({ [GET]: { status: 404, body: { errors: [{ message: 'Not found' }] } } });
    const view = await mountPage(paymentPage, context());
    expect(view.title).toBe('Order not found');
  });
});
