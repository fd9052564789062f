// Helpers for tests: a fake server behind fetch, and rendering a page as the router would.

import { vi } from 'vitest';
import type { PageRenderer, PageView, RouteContext } from './router';
import type { Order } from './orders';
import type { Payment } from './payments';
import type { PaymentIntentResult, Stripe, StripeCardChangeEvent, StripeCardElement } from './stripe';
import type { Ticket } from './tickets';

export type Reply = { status: number; body?: unknown };

/**
 * Stubs fetch with canned replies keyed by "METHOD /path?query". A list is
 * answered in order, its last reply repeating. An unknown request fails as if
 * the network were down.
 */
export function serve(replies: Record<string, Reply | Reply[]>) {
  const used = new Map<string, number>();
  const fetchMock = vi.fn(async (path: string, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${path}`;
    const entry = replies[key];
    if (!entry) throw new TypeError('Failed to fetch');
    let reply: Reply | undefined;
    if (Array.isArray(entry)) {
      const index = used.get(key) ?? 0;
      used.set(key, index + 1);
      reply = entry[Math.min(index, entry.length - 1)];
    } else {
      reply = entry;
    }
    if (!reply) throw new TypeError('Failed to fetch');
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

/** The requests fetch received, as "METHOD /path" with the parsed JSON body. */
export function requests(fetchMock: ReturnType<typeof serve>): { call: string; body: unknown }[] {
  return fetchMock.mock.calls.map(([path, init]) => ({
    call: `${init?.method ?? 'GET'} ${path}`,
    body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
  }));
}

export function routeContext(path: string, params: Record<string, string> = {}, search = ''): RouteContext {
  return { path, params, query: new URLSearchParams(search), navigate: vi.fn(async () => {}) };
}

/** Renders `page` for `context` into the document, failing the test on a redirect. */
export async function mountPage(page: PageRenderer, context: RouteContext): Promise<PageView> {
  const result = await page(context);
  if ('redirect' in result) throw new Error(`expected a page, got a redirect to ${result.redirect}`);
  document.body.replaceChildren(result.content);
  return result;
}

export function submitForm(form: HTMLFormElement): void {
  form.dispatchEvent(new Event('submit', { cancelable: true, bubbles: true }));
}

/** A ticket as the server sends it, with whatever differs for the test. */
export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: 't1',
    title: 'The Midnight Orchestra',
    price: 2500,
    userId: 'seller',
    version: 0,
    orderId: null,
    createdAt: '2025-06-01T18:30:00Z',
    updatedAt: '2025-06-01T18:30:00Z',
    ...overrides,
  };
}

/** An order as the server sends it: by default `created`, expiring 15 minutes after 2025-06-01T18:30:00Z. */
export function makeOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: 'o1',
    status: 'created',
    userId: 'buyer',
    expiresAt: '2025-06-01T18:45:00Z',
    createdAt: '2025-06-01T18:30:00Z',
    version: 0,
    ticket: { id: 't1', title: 'The Midnight Orchestra', price: 2500 },
    ...overrides,
  };
}

/** The headers fetch was called with on its `index`th call. */
export function requestHeaders(fetchMock: ReturnType<typeof serve>, index: number): Record<string, string> {
  return (fetchMock.mock.calls[index]?.[1]?.headers ?? {}) as Record<string, string>;
}

/** POST /api/payments's answer for makeOrder()'s order, with whatever differs for the test. */
export function makePayment(overrides: Partial<Payment> = {}): Payment {
  return {
    id: 'pi_1',
    orderId: 'o1',
    clientSecret: 'pi_1_secret_abc',
    amount: 2500,
    currency: 'usd',
    publishableKey: 'pk_test_1',
    stripeJsUrl: 'https://js.stripe.test/v3/',
    ...overrides,
  };
}

export const SUCCEEDED: PaymentIntentResult = { paymentIntent: { id: 'pi_1', status: 'succeeded', amount: 2500, currency: 'usd' } };

/** A decline as Stripe.js reports it. */
export function declined(message: string, declineCode = 'generic_decline'): PaymentIntentResult {
  return { error: { type: 'card_error', code: 'card_declined', decline_code: declineCode, message } };
}

/**
 * Puts a fake Stripe.js on window: `Stripe(key)` gives a client whose card
 * element draws one input where it is mounted, and whose confirmCardPayment
 * answers `results` in order, the last one repeating. `change` plays a change
 * event from the card element.
 */
export function fakeStripe(results: PaymentIntentResult[] = [SUCCEEDED]) {
  const listeners: ((event: StripeCardChangeEvent) => void)[] = [];
  const card: StripeCardElement = {
    mount: vi.fn((target: HTMLElement | string) => {
      const input = document.createElement('input');
      input.setAttribute('aria-label', 'Card number');
      (typeof target === 'string' ? document.querySelector(target) : target)?.append(input);
    }),
    unmount: vi.fn(),
    destroy: vi.fn(),
    on: vi.fn((_event: 'change', handler: (event: StripeCardChangeEvent) => void) => {
      listeners.push(handler);
      return card;
    }),
  };
  const create = vi.fn(() => card);
  let answered = 0;
  const confirmCardPayment = vi.fn(async () => results[Math.min(answered++, results.length - 1)] as PaymentIntentResult);
  const stripe: Stripe = { elements: vi.fn(() => ({ create })), confirmCardPayment };
  const constructor = vi.fn((_publishableKey: string) => stripe);
  vi.stubGlobal('Stripe', constructor);
  return {
    Stripe: constructor,
    create,
    card,
    confirmCardPayment,
    change: (event: Partial<StripeCardChangeEvent>) => {
      for (const listener of listeners) listener({ elementType: 'card', empty: false, complete: false, ...event });
    },
  };
}
