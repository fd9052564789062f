// Pieces the order pages share: the status badge, the countdown to an order's
// expiry and its wording, and the not-found state.

import { countdownAnnouncement } from '../countdown-announcements';
import { h, link, whileShown } from '../dom';
import { type Order, type OrderStatus, formatTimeLeft, msLeft } from '../orders';
import type { PageResult } from '../router';
import { renderNotice } from './notice';

export const EXPIRED_MESSAGE = 'Reservation expired';

export function timeLeftText(ms: number): string {
  return `Time left to pay: ${formatTimeLeft(ms)}`;
}

/**
 * The time left on a reservation as people see and hear it: `timer` shows it
 * every second (role="timer", which screen readers do not read on each change),
 * and `announcer`, a polite live region kept off screen, speaks only at the
 * moments countdownAnnouncement picks, and at the end.
 */
export interface CountdownView {
  timer: HTMLElement;
  announcer: HTMLElement;
  /** Shows `ms` left, announcing it if this is one of the moments to. */
  show(ms: number): void;
  /** Shows and announces that the time is up. */
  showExpired(): void;
}

export function createCountdownView(): CountdownView {
  const timer = h('p', {
    className: 'mt-8 text-2xl font-semibold text-indigo-700 tabular-nums',
    attrs: { role: 'timer', 'data-testid': 'time-left' },
  });
  const announcer = h('p', { className: 'sr-only', attrs: { 'aria-live': 'polite', 'data-testid': 'time-left-announcer' } });
  let shownSeconds: number | null = null;
  return {
    timer,
    announcer,
    show(ms) {
      const seconds = Math.ceil(ms / 1000);
      const announcement = countdownAnnouncement(shownSeconds, seconds);
      shownSeconds = seconds;
      timer.textContent = timeLeftText(ms);
      if (announcement !== null) announcer.textContent = announcement;
    },
    showExpired() {
      timer.textContent = EXPIRED_MESSAGE;
      announcer.textContent = EXPIRED_MESSAGE;
    },
  };
}

export const STATUS_LABELS: Record<OrderStatus, string> = {
  created: 'Awaiting payment',
  cancelled: 'Cancelled',
  complete: 'Complete',
};

/** The status as a badge; `data-status` carries the raw value. */
export function renderOrderStatus(status: OrderStatus): HTMLElement {
  return h('span', { className: `badge badge-${status}`, attrs: { 'data-testid': 'order-status', 'data-status': status } }, [
    STATUS_LABELS[status] ?? status,
  ]);
}

/**
 * Calls `onTick` with the time left on the order straight away and then each
 * time the shown second changes, worked out afresh from expiresAt and the clock
 * every time; once the time is up it calls `onExpired`, once, and stops. It
 * also stops when `host` leaves the page. Returns a function that stops it early.
 */
export function startCountdown(
  host: Element,
  order: Pick<Order, 'expiresAt'>,
  onTick: (ms: number) => void,
  onExpired: () => void,
): () => void {
  const shown = whileShown(host);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  function run(): void {
    if (stopped || !shown()) return;
    const left = msLeft(order);
    if (left <= 0) {
      stopped = true;
      onExpired();
      return;
    }
    onTick(left);
    // Wake when the displayed (rounded-up) second changes.
    timer = setTimeout(run, left % 1000 || 1000);
  }

  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function orderNotFound(): PageResult {
  return {
    title: 'Order not found',
    content: renderNotice({
      eyebrow: '404',
      heading: 'Order not found',
      body: ['There is no order at this address on your account. The link may be mistyped, or the order may belong to someone else.'],
      actions: [link('/orders', 'My orders', 'btn btn-primary'), link('/tickets', 'Browse tickets', 'btn btn-secondary')],
    }),
  };
}
