import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { PAYMENT_RETRY_DELAYS_MS, createPayment, createPaymentOnceKnown } from './payments';
import { makePayment, requests, serve } from './test-support';

const POST = 'POST /api/payments';
const notYet = { status: 404, body: { errors: [{ message: 'Order not found' }] } };

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createPayment', () => {
  it('asks for the order’s PaymentIntent', async () => {
    const fetchMock = serve({ [POST]: { status: 201, body: makePayment() } });

    await expect(createPayment('o1')).resolves.toEqual(makePayment());

    expect(requests(fetchMock)).toEqual([{ call: POST, body: { orderId: 'o1' } }]);
  });

  it('refuses an answer without what Stripe.js needs', async () => {
    serve({ [POST]: { status: 201, body: { id: 'pi_1', amount: 2500 } } });
    await expect(createPayment('o1')).rejects.toMatchObject({ status: 500, message: 'Something went wrong' });
  });
});

describe('createPaymentOnceKnown', () => {
  it('tries again after each delay while the order is not known yet', async () => {
    const fetchMock = serve({ [POST]: [notYet, notYet, notYet, { status: 201, body: makePayment() }] });

    const payment = createPaymentOnceKnown('o1');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(fetchMock).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetchMock).toHaveBeenCalledTimes(4);

    await expect(payment).resolves.toEqual(makePayment());
  });

  it('gives up with the last 404 after about 8 seconds', async () => {
    const fetchMock = serve({ [POST]: notYet });

    const payment = createPaymentOnceKnown('o1');
    const outcome = expect(payment).rejects.toMatchObject({ status: 404, message: 'Order not found' });
    const total = PAYMENT_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThanOrEqual(7000);
    expect(total).toBeLessThanOrEqual(9000);
    await vi.advanceTimersByTimeAsync(total);

    await outcome;
    expect(fetchMock).toHaveBeenCalledTimes(1 + PAYMENT_RETRY_DELAYS_MS.length);
  });

  it('does not try again on any other refusal', async () => {
    const fetchMock = serve({ [POST]: { status: 409, body: { errors: [{ message: 'Order is cancelled' }] } } });

    await expect(createPaymentOnceKnown('o1')).rejects.toBeInstanceOf(ApiError);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('stops trying once told to (the page was left)', async () => {
    const fetchMock = serve({ [POST]: notYet });
    let keepTrying = true;

    const payment = createPaymentOnceKnown('o1', () => keepTrying);
    const outcome = expect(payment).rejects.toMatchObject({ status: 404 });
    await vi.advanceTimersByTimeAsync(250);
    keepTrying = false;
    await vi.advanceTimersByTimeAsync(10_000);

    await outcome;
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
