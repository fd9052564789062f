// Paying for an order by card. The page asks the payments API for the order's
// PaymentIntent, draws Stripe's card form with Stripe.js, and confirms the
// payment from the browser; the card details go to Stripe only. Stripe tells
// the server, which completes the order a moment later, so after a successful
// charge the page polls the order until it says so.

import { ApiError, errorsFrom } from '../api';
import { renderNotice } from '../components/notice';
import { createCountdownView, orderNotFound, startCountdown } from '../components/order-views';
import { loadFailed } from '../components/ticket-views';
import { type Child, h, link, onLeave, whileShown } from '../dom';
import { formatCents } from '../money';
import { type Order, getOrder, msLeft, orderPath } from '../orders';
import { type Payment, createPaymentOnceKnown } from '../payments';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';
import {
  type PaymentIntentResult,
  STRIPE_LOAD_FAILED_MESSAGE,
  type Stripe,
  type StripeCardElement,
  type StripeCardElementOptions,
  stripeFor,
} from '../stripe';
import { ticketPath } from '../tickets';

export const PAYMENT_TITLE = 'Pay for your ticket';
export const PREPARING_MESSAGE = 'Preparing the secure card form…';
export const PROCESSING_LABEL = 'Processing…';
export const SECURE_NOTE = 'Your card details go straight to Stripe, our payment provider, and never reach our servers.';
/** When Stripe refuses without saying why. */
export const PAYMENT_FAILED_MESSAGE = 'Your payment could not be completed. Please try again or use another card.';
export const RAN_OUT_MESSAGE = 'The reservation ran out before payment, so the order will be cancelled. Your card has not been charged.';
export const PAYMENT_RECEIVED_HEADING = 'Payment received';
export const CONFIRMING_MESSAGE = 'Confirming your order…';
export const ORDER_COMPLETE_HEADING = 'Your order is complete';
export const ORDER_COMPLETE_MESSAGE = 'The ticket is yours.';
export const PAID_TOO_LATE_HEADING = 'This order was cancelled';
export const PAID_TOO_LATE_MESSAGE =
  'The reservation ran out before your payment arrived, so the order was cancelled. Your payment will be refunded automatically.';
export const CONFIRM_SLOW_MESSAGE =
  'Your payment went through, but confirming the order is taking longer than usual. Your order page will show it as complete shortly.';

export const ALREADY_PAID_HEADING = 'This order is already paid';
export const CANCELLED_HEADING = 'This order was cancelled';
export const EXPIRED_HEADING = 'This reservation has run out';

/** After a successful charge, ask for the order this often, this many times (~30 s), until it is complete. */
export const CONFIRM_POLL_MS = 1000;
export const CONFIRM_POLL_ATTEMPTS = 30;

const CARD_OPTIONS: StripeCardElementOptions = {
  hidePostalCode: true,
  style: {
    base: {
      color: '#0f172a',
      fontFamily: 'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      fontSize: '16px',
      '::placeholder': { color: '#94a3b8' },
    },
    invalid: { color: '#dc2626', iconColor: '#dc2626' },
  },
};

export async function paymentPage(context: RouteContext): Promise<PageResult> {
  const { path } = context;
  if (!getCurrentUser()) return { redirect: withNext('/signin', path) };

  let order: Order;
  try {
    order = await getOrder(context.params['id'] ?? '');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return orderNotFound();
    if (error instanceof ApiError && error.status === 401) return { redirect: withNext('/signin', path) };
    return loadFailed('This order could not be loaded', error, context);
  }

  return unpayable(order) ?? { title: PAYMENT_TITLE, content: renderCheckout(order, context) };
}

function actionRow(children: Child[]): HTMLElement {
  return h('div', { className: 'flex flex-wrap gap-3' }, children);
}

function viewOrder(order: Order, className = 'btn btn-primary'): HTMLAnchorElement {
  return link(orderPath(order.id), 'View order', className);
}

/** Why the order can't be paid (already paid, cancelled, time up), or null if it can. */
function unpayable(order: Order): PageResult | null {
  const notice = (heading: string, body: string, second: HTMLElement): PageResult => ({
    title: heading,
    content: renderNotice({ heading, body: [body], actions: [viewOrder(order), second] }),
  });
  const ticket = link(ticketPath(order.ticket.id), 'View ticket', 'btn btn-secondary');

  if (order.status === 'complete') {
    return notice(ALREADY_PAID_HEADING, 'Your payment was received and the ticket is yours.', link('/orders', 'My orders', 'btn btn-secondary'));
  }
  if (order.status === 'cancelled') {
    return notice(
      CANCELLED_HEADING,
      "It can't be paid: the reservation ran out, or the order was cancelled. If the ticket is still for sale, you can reserve it again.",
      ticket,
    );
  }
  if (msLeft(order) <= 0) {
    return notice(EXPIRED_HEADING, 'The time to pay is over, so the order is being cancelled and the ticket released. You have not been charged.', ticket);
  }
  return null;
}

/** Resolves once the router has put `element` on the page, or with false if it never will (a newer navigation won). */
async function inDocument(element: Element, shown: () => boolean): Promise<boolean> {
  while (!element.isConnected) {
    if (!shown()) return false;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return shown();
}

/**
 * loading: asking for the PaymentIntent and Stripe.js; ready: the card form is
 * shown; processing: Stripe is charging the card; paid: waiting for the order
 * to complete; closed: no card form any more (time up, setup failed, page left).
 */
type CheckoutState = 'loading' | 'ready' | 'processing' | 'paid' | 'closed';

function renderCheckout(order: Order, { path, navigate }: RouteContext): HTMLElement {
  let state: CheckoutState = 'loading';
  let card: StripeCardElement | null = null;
  let stopCountdown = (): void => {};
  let stopWatching = (): void => {};
  /** Set once the page has been left; a charge under way is still allowed to finish. */
  let left = false;

  const heading = h('h1', { className: 'text-3xl font-semibold tracking-tight text-slate-900' }, [PAYMENT_TITLE]);
  const amount = h('dd', { className: 'mt-1 text-3xl font-semibold text-slate-900', attrs: { 'data-testid': 'payment-amount' } }, [
    formatCents(order.ticket.price),
  ]);
  const countdown = createCountdownView();
  const timeLeft = countdown.timer;
  const body = h('div', {}, [h('p', { className: 'text-slate-600', attrs: { role: 'status' } }, [PREPARING_MESSAGE])]);

  const section = h('section', { className: 'mx-auto w-full max-w-3xl px-4 py-12 sm:px-6' }, [
    link(orderPath(order.id), '← Back to your order', 'text-link text-sm'),
    h('article', { className: 'card mt-6' }, [
      heading,
      h('dl', { className: 'mt-8 grid gap-6 sm:grid-cols-2' }, [
        h('div', { className: 'min-w-0' }, [
          h('dt', { className: 'text-sm text-slate-500' }, ['Ticket']),
          h('dd', { className: 'user-text mt-1 text-lg font-medium text-slate-900', attrs: { 'data-testid': 'payment-ticket' } }, [
            link(ticketPath(order.ticket.id), order.ticket.title, 'hover:text-indigo-600'),
          ]),
        ]),
        h('div', {}, [h('dt', { className: 'text-sm text-slate-500' }, ['Amount']), amount]),
      ]),
      timeLeft,
      countdown.announcer,
      h('div', { className: 'my-8 border-t border-dashed border-slate-300' }),
      body,
    ]),
  ]);

  // One check for the whole page: once the card form is up, the page has been seen, so
  // anything that starts later (polling after the charge) stops at once if it has been left.
  const shown = whileShown(section);

  function destroyCard(): void {
    stopWatching();
    card?.destroy();
    card = null;
  }

  function close(): void {
    state = 'closed';
    destroyCard();
  }

  async function setUp(): Promise<void> {
    let payment: Payment;
    let stripe: Stripe;
    try {
      payment = await createPaymentOnceKnown(order.id, shown);
      stripe = await stripeFor(payment.stripeJsUrl, payment.publishableKey);
    } catch (error) {
      if (state !== 'loading' || !shown()) return;
      if (error instanceof ApiError && error.status === 401) {
        await navigate(withNext('/signin', path));
        return;
      }
      setUpFailed(error);
      return;
    }
    // The time may have run out, or the page been left, while all that was awaited.
    if (!(await inDocument(section, shown)) || state !== 'loading') return;
    showForm(stripe, payment);
  }

  /**
   * The PaymentIntent or Stripe.js could not be had. A 409 means the order can't be paid any
   * more, so no retry then; if that is because it is paid (in another tab, a moment ago), the
   * payment is shown as received while the order completes.
   */
  function setUpFailed(error: unknown): void {
    if (error instanceof ApiError && error.status === 409 && error.errors.some((item) => item.code === 'order_paid')) {
      paid(order.ticket.price);
      return;
    }
    close();
    const message = error instanceof ApiError ? errorsFrom(error).map((item) => item.message).join(' ') : STRIPE_LOAD_FAILED_MESSAGE;
    const conflict = error instanceof ApiError && error.status === 409;
    const retry = h('button', { className: 'btn btn-primary', attrs: { type: 'button' } }, ['Try again']);
    retry.addEventListener('click', () => {
      retry.disabled = true;
      void navigate(path, { replace: true });
    });
    body.replaceChildren(
      h('div', { className: 'space-y-6' }, [
        h('div', { className: 'alert', attrs: { role: 'alert' } }, [h('p', {}, [message])]),
        actionRow(conflict ? [viewOrder(order)] : [retry, viewOrder(order, 'btn btn-secondary')]),
      ]),
    );
  }

  function showForm(stripe: Stripe, payment: Payment): void {
    state = 'ready';
    const payLabel = `Pay ${formatCents(payment.amount)}`;
    amount.textContent = formatCents(payment.amount);

    const cardSlot = h('div', { className: 'input py-3', attrs: { 'data-testid': 'card-element' } });
    const alert = h('div', { className: 'alert', attrs: { role: 'alert', hidden: true } });
    const submit = h('button', { className: 'btn btn-primary btn-lg w-full', attrs: { type: 'submit' } }, [payLabel]);
    const form = h('form', { className: 'space-y-5', attrs: { id: 'payment-form', novalidate: true } }, [
      h('div', { className: 'field', attrs: { role: 'group', 'aria-labelledby': 'payment-card-label' } }, [
        h('p', { className: 'label', attrs: { id: 'payment-card-label' } }, ['Card details']),
        cardSlot,
      ]),
      alert,
      submit,
      h('p', { className: 'hint text-center' }, [SECURE_NOTE]),
    ]);
    body.replaceChildren(form);

    function showAlert(message: string): void {
      alert.textContent = message;
      alert.hidden = message === '';
    }

    function setBusy(busy: boolean): void {
      form.setAttribute('aria-busy', String(busy));
      submit.disabled = busy;
      submit.textContent = busy ? PROCESSING_LABEL : payLabel;
    }

    const element = stripe.elements().create('card', CARD_OPTIONS);
    element.on('change', (event) => {
      if (state === 'ready') showAlert(event.error?.message ?? '');
    });
    element.mount(cardSlot);
    card = element;
    stopWatching = onLeave(section, () => {
      left = true;
      if (state !== 'processing') close();
    });

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (state !== 'ready' || !card) return;
      state = 'processing';
      showAlert('');
      setBusy(true);

      let result: PaymentIntentResult;
      try {
        result = await stripe.confirmCardPayment(payment.clientSecret, { payment_method: { card } });
      } catch {
        // Stripe.js reports card and network problems in `error`; it only throws on a misuse of its API.
        result = { error: {} };
      }
      if (left) {
        close();
        return;
      }

      const intent = result.paymentIntent;
      if (intent && (intent.status === 'succeeded' || intent.status === 'processing')) {
        paid(payment.amount);
        return;
      }
      state = 'ready';
      setBusy(false);
      showAlert(result.error?.message || PAYMENT_FAILED_MESSAGE);
      // The countdown ran out while the card was being charged, and the charge failed: nothing more can be tried.
      if (msLeft(order) <= 0) ranOut();
    });
  }

  function expired(): void {
    countdown.showExpired();
    // A charge under way is left to finish: if it goes through too late, the server refunds it.
    if (state === 'processing' || state === 'paid') return;
    ranOut();
  }

  function ranOut(): void {
    close();
    body.replaceChildren(
      h('div', { className: 'space-y-6' }, [
        h('p', { className: 'text-slate-700', attrs: { role: 'status' } }, [RAN_OUT_MESSAGE]),
        actionRow([viewOrder(order), link(ticketPath(order.ticket.id), 'View ticket', 'btn btn-secondary')]),
      ]),
    );
  }

  /** Stripe took `amount` (cents); the server completes the order once Stripe has told it. */
  function paid(amount: number): void {
    state = 'paid';
    stopCountdown();
    timeLeft.hidden = true;
    destroyCard();

    heading.textContent = PAYMENT_RECEIVED_HEADING;
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
    const outcome = h('div', { className: 'space-y-4', attrs: { role: 'status' } }, [
      h('p', { className: 'text-slate-600' }, [CONFIRMING_MESSAGE]),
    ]);
    body.replaceChildren(
      h('div', { className: 'space-y-4' }, [
        h('p', { className: 'text-lg font-medium text-slate-900', attrs: { 'data-testid': 'payment-received' } }, [
          `${formatCents(amount)} paid by card.`,
        ]),
        outcome,
      ]),
    );
    confirmOrder(outcome);
  }

  function confirmOrder(outcome: HTMLElement): void {
    let attempts = 0;

    function show(...nodes: Node[]): void {
      outcome.replaceChildren(...nodes);
    }

    async function poll(): Promise<void> {
      if (!shown()) return;
      attempts++;
      try {
        const fresh = await getOrder(order.id);
        if (fresh.status === 'complete') {
          show(
            h('h2', { className: 'text-xl font-semibold text-emerald-700' }, [ORDER_COMPLETE_HEADING]),
            h('p', { className: 'text-slate-600' }, [ORDER_COMPLETE_MESSAGE]),
            actionRow([viewOrder(order), link('/orders', 'My orders', 'btn btn-secondary')]),
          );
          return;
        }
        if (fresh.status === 'cancelled') {
          show(
            h('h2', { className: 'text-xl font-semibold text-slate-900' }, [PAID_TOO_LATE_HEADING]),
            h('p', { className: 'text-slate-600' }, [PAID_TOO_LATE_MESSAGE]),
            actionRow([viewOrder(order), link('/orders', 'My orders', 'btn btn-secondary')]),
          );
          return;
        }
      } catch {
        // A failed poll is just another try; the next one may get through.
      }
      if (attempts < CONFIRM_POLL_ATTEMPTS) {
        setTimeout(() => void poll(), CONFIRM_POLL_MS);
        return;
      }
      show(
        h('p', { className: 'text-slate-600' }, [CONFIRM_SLOW_MESSAGE]),
        actionRow([viewOrder(order), link('/orders', 'My orders', 'btn btn-secondary')]),
      );
    }
    void poll();
  }

  stopCountdown = startCountdown(
    section,
    order,
    (ms) => countdown.show(ms),
    expired,
  );
  if (state === 'loading') void setUp();
  return section;
}
