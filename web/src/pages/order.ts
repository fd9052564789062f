import { ApiError, errorsFrom } from '../api';
import { createCountdownView, orderNotFound, renderOrderStatus, startCountdown } from '../components/order-views';
import { loadFailed, renderDate } from '../components/ticket-views';
import { h, link, whileShown } from '../dom';
import { formatCents } from '../money';
import { type Order, cancelOrder, getOrder, orderPaymentPath } from '../orders';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';
import { ticketPath } from '../tickets';

export const CANCELLED_MESSAGE = 'Your order has been cancelled and the ticket released.';
export const EXPIRED_CANCELLED_MESSAGE = 'The reservation ran out before payment, so the order was cancelled.';
export const CONFIRM_CANCEL_MESSAGE = 'Cancel this order? The ticket will be released and anyone can buy it.';
/** After the countdown runs out the server cancels the order soon after; ask this often, this many times (~30 s). */
export const EXPIRY_POLL_MS = 2000;
export const EXPIRY_POLL_ATTEMPTS = 15;

export async function orderPage(context: RouteContext): Promise<PageResult> {
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

  return {
    title: 'Your order',
    content: renderOrder(order, context),
  };
}

function renderOrder(initial: Order, { path, navigate }: RouteContext): HTMLElement {
  let order = initial;
  let stopCountdown = (): void => {};

  const title = h('h1', { className: 'user-text min-w-[min(100%,16rem)] flex-1 text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl' });
  const badgeSlot = h('div', { className: 'shrink-0' });
  const ordered = renderDate(order.createdAt);
  const countdown = createCountdownView();
  const timeLeft = countdown.timer;
  const actions = h('div', { className: 'mt-10 flex flex-wrap items-center gap-4' });
  const message = h('p', { className: 'mt-4 text-sm text-slate-700', attrs: { role: 'status' } });
  const failure = h('p', { className: 'field-error mt-4', attrs: { role: 'alert', hidden: true } });

  const card = h('article', { className: 'card mt-6' }, [
    h('div', { className: 'flex flex-wrap items-start justify-between gap-x-4 gap-y-3' }, [title, badgeSlot]),
    h('div', { className: 'my-8 border-t border-dashed border-slate-300' }),
    h('dl', { className: 'grid gap-6 sm:grid-cols-2' }, [
      h('div', {}, [
        h('dt', { className: 'text-sm text-slate-500' }, ['Price']),
        h('dd', { className: 'mt-1 text-3xl font-semibold text-slate-900', attrs: { 'data-testid': 'order-price' } }, [
          formatCents(order.ticket.price),
        ]),
      ]),
      ordered
        ? h('div', {}, [
            h('dt', { className: 'text-sm text-slate-500' }, ['Ordered']),
            h('dd', { className: 'mt-1 text-lg font-medium text-slate-900' }, [ordered]),
          ])
        : null,
    ]),
    timeLeft,
    countdown.announcer,
    actions,
    message,
    failure,
  ]);
  const section = h('section', { className: 'mx-auto w-full max-w-3xl px-4 py-12 sm:px-6' }, [
    link('/orders', '← My orders', 'text-link text-sm'),
    card,
  ]);

  function showFailure(error: unknown): void {
    failure.textContent = errorsFrom(error).map((item) => item.message).join(' ');
    failure.hidden = false;
  }

  /** Shows `order` as it now is; a `created` one gets the countdown and the Pay and Cancel buttons. */
  function paint(next: Order): void {
    order = next;
    stopCountdown();
    title.replaceChildren(link(ticketPath(order.ticket.id), order.ticket.title, 'hover:text-indigo-600'));
    badgeSlot.replaceChildren(renderOrderStatus(order.status));
    actions.replaceChildren();
    timeLeft.hidden = order.status !== 'created';
    if (order.status !== 'created') return;

    actions.replaceChildren(...openActions());
    stopCountdown = startCountdown(
      section,
      order,
      (ms) => countdown.show(ms),
      expired,
    );
  }

  /** The server cancels an expired order on its own, a moment later; wait for that to show it. */
  function expired(): void {
    countdown.showExpired();
    actions.replaceChildren();
    const shown = whileShown(section);
    let attempts = 0;
    async function poll(): Promise<void> {
      if (!shown() || order.status !== 'created') return;
      attempts++;
      try {
        const fresh = await getOrder(order.id);
        if (fresh.status !== 'created') {
          paint(fresh);
          if (fresh.status === 'cancelled') message.textContent = EXPIRED_CANCELLED_MESSAGE;
          return;
        }
      } catch {
        // A failed poll is just another try; the next one may get through.
      }
      if (attempts < EXPIRY_POLL_ATTEMPTS) setTimeout(() => void poll(), EXPIRY_POLL_MS);
    }
    void poll();
  }

  /** What a buyer can do with an order awaiting payment; `expired` takes them away again. */
  function openActions(): HTMLElement[] {
    return [link(orderPaymentPath(order.id), 'Pay', 'btn btn-primary'), cancelButton()];
  }

  function cancelButton(): HTMLButtonElement {
    const button = h('button', { className: 'btn btn-secondary', attrs: { type: 'button' } }, ['Cancel order']);
    button.addEventListener('click', () => {
      failure.hidden = true;
      actions.replaceChildren(confirmCancel());
      actions.querySelector<HTMLButtonElement>('button')?.focus();
    });
    return button;
  }

  /** Cancelling can't be undone, so it takes a second, explicit click. */
  function confirmCancel(): HTMLElement {
    const yes = h('button', { className: 'btn btn-danger', attrs: { type: 'button' } }, ['Yes, cancel order']);
    const no = h('button', { className: 'btn btn-ghost', attrs: { type: 'button' } }, ['Keep order']);
    const panel = h('div', {
      className: 'flex w-full flex-col gap-3 rounded-lg bg-slate-50 p-4 sm:flex-row sm:items-center',
      attrs: { role: 'group', 'aria-labelledby': 'cancel-order-confirm' },
    }, [
      h('p', { className: 'text-sm text-slate-700 sm:mr-auto', attrs: { id: 'cancel-order-confirm' } }, [CONFIRM_CANCEL_MESSAGE]),
      h('div', { className: 'flex gap-2' }, [yes, no]),
    ]);

    no.addEventListener('click', () => {
      actions.replaceChildren(...openActions());
      actions.querySelector<HTMLButtonElement>('button')?.focus();
    });
    yes.addEventListener('click', async () => {
      if (yes.disabled) return;
      yes.disabled = true;
      no.disabled = true;
      yes.setAttribute('aria-busy', 'true');
      failure.hidden = true;
      try {
        await cancelOrder(order.id);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          await navigate(withNext('/signin', path));
          return;
        }
        showFailure(error);
        yes.disabled = false;
        no.disabled = false;
        yes.removeAttribute('aria-busy');
        // 409: it completed meanwhile. Show the order as it is now.
        if (error instanceof ApiError && error.status === 409) await refresh();
        return;
      }
      paint({ ...order, status: 'cancelled' });
      message.textContent = CANCELLED_MESSAGE;
    });
    return panel;
  }

  async function refresh(): Promise<void> {
    try {
      paint(await getOrder(order.id));
    } catch {
      // Keep showing what we have; the error that led here is already on screen.
    }
  }

  paint(order);
  return section;
}
