// The payments API: a Stripe PaymentIntent for an order, which the browser then
// confirms with the card through Stripe.js. The order completes on the server
// once Stripe tells it the payment succeeded, not when the browser says so.

import { ApiError, GENERIC_ERROR_MESSAGE, api } from './api';
import type { Payment, PaymentInput } from './api-types';

// The shape comes from the API contract (docs/openapi.yaml, through api-types.ts).
export type { Payment };

/**
 * How long to wait before each new try while the payments service answers 404
 * for an order that exists: it learns about orders from an event, a moment
 * after they are made. About 8 s in all.
 */
export const PAYMENT_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000, 2000, 2000];

function isPayment(value: unknown): value is Payment {
  if (typeof value !== 'object' || value === null) return false;
  const payment = value as Record<string, unknown>;
  return (
    typeof payment['clientSecret'] === 'string' &&
    typeof payment['publishableKey'] === 'string' &&
    typeof payment['stripeJsUrl'] === 'string' &&
    Number.isSafeInteger(payment['amount'])
  );
}

/** The PaymentIntent for the order (the same one every time it is asked); 409 once the order can't be paid. */
export async function createPayment(orderId: string): Promise<Payment> {
  const input: PaymentInput = { orderId };
  const payment = await api.post<unknown>('/api/payments', input);
  if (!isPayment(payment)) throw new ApiError(500, [{ message: GENERIC_ERROR_MESSAGE }]);
  return payment;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * createPayment, tried again after each of PAYMENT_RETRY_DELAYS_MS while it
 * answers 404. Any other failure is thrown, and so is the last 404, or the one
 * before `keepTrying` said no (the page was left).
 */
export async function createPaymentOnceKnown(orderId: string, keepTrying: () => boolean = () => true): Promise<Payment> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await createPayment(orderId);
    } catch (error) {
      const delay = PAYMENT_RETRY_DELAYS_MS[attempt];
      if (!(error instanceof ApiError && error.status === 404) || delay === undefined) throw error;
      await sleep(delay);
      if (!keepTrying()) throw error;
    }
  }
}
