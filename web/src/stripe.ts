// Stripe.js, loaded with a <script> tag from the URL the payments API names
// (js.stripe.com in AWS, the local Stripe stand-in in development), once per
// page load. Only the few calls this app makes are typed, by hand, here, rather
// than adding a package for them.

/** What Stripe.js reports when a card is refused or a field is incomplete. */
export interface StripeError {
  type?: string;
  /** e.g. `card_declined`, `incomplete_number`. */
  code?: string;
  /** The bank's reason for a decline, e.g. `insufficient_funds`. */
  decline_code?: string;
  /** Written for the cardholder, e.g. "Your card was declined." */
  message?: string;
}

export interface StripePaymentIntent {
  id: string;
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';
  /** Integer cents. */
  amount: number;
  currency: string;
}

export type PaymentIntentResult =
  | { paymentIntent: StripePaymentIntent; error?: undefined }
  | { paymentIntent?: undefined; error: StripeError };

export interface StripeCardChangeEvent {
  elementType: 'card';
  empty: boolean;
  complete: boolean;
  /** Set while what was typed is invalid; gone again once it is fixed. */
  error?: StripeError | undefined;
}

/** Style rules for the text inside the card element, e.g. `{ color: '#0f172a', '::placeholder': { color: '#94a3b8' } }`. */
export interface StripeStyleRules {
  [property: string]: string | StripeStyleRules;
}

export interface StripeCardElementOptions {
  style?: { base?: StripeStyleRules; invalid?: StripeStyleRules };
  hidePostalCode?: boolean;
}

/** The card number, expiry and CVC inputs, drawn by Stripe.js inside the element it is mounted in. */
export interface StripeCardElement {
  mount(domElement: HTMLElement | string): void;
  unmount(): void;
  destroy(): void;
  on(event: 'change', handler: (event: StripeCardChangeEvent) => void): StripeCardElement;
}

export interface StripeElements {
  create(type: 'card', options?: StripeCardElementOptions): StripeCardElement;
}

export interface ConfirmCardPaymentData {
  payment_method: { card: StripeCardElement };
}

export interface Stripe {
  elements(): StripeElements;
  /** Resolves (never rejects) with the PaymentIntent, or with why the card was refused. */
  confirmCardPayment(clientSecret: string, data: ConfirmCardPaymentData): Promise<PaymentIntentResult>;
}

export type StripeConstructor = (publishableKey: string) => Stripe;

declare global {
  interface Window {
    /** Defined by the Stripe.js script. */
    Stripe?: StripeConstructor;
  }
}

export const STRIPE_LOAD_FAILED_MESSAGE = 'The card form could not be loaded. Check your connection and try again.';

let loading: Promise<void> | null = null;

/**
 * Adds the Stripe.js script to the page the first time; later calls share the
 * same promise, so moving between pages never loads it twice. A load that
 * failed is forgotten (and its tag removed), so that trying again adds a new one.
 */
export function loadStripeJs(url: string): Promise<void> {
  if (typeof window.Stripe === 'function') return Promise.resolve();
  if (loading) return loading;

  const script = document.createElement('script');
  const load = new Promise<void>((resolve, reject) => {
    script.addEventListener('load', () => resolve(), { once: true });
    script.addEventListener(
      'error',
      () => {
        script.remove();
        reject(new Error(`Stripe.js could not be loaded from ${url}`));
      },
      { once: true },
    );
  });
  loading = load;
  load.catch(() => {
    if (loading === load) loading = null;
  });
  script.src = url;
  script.async = true;
  document.head.appendChild(script);
  return load;
}

/** A Stripe.js client for `publishableKey`, loading Stripe.js from `url` first if the page does not have it yet. */
export async function stripeFor(url: string, publishableKey: string): Promise<Stripe> {
  await loadStripeJs(url);
  const create = window.Stripe;
  if (typeof create !== 'function') throw new Error(`${url} did not define Stripe()`);
  return create(publishableKey);
}
