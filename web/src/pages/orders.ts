import { ApiError } from '../api';
import { EXPIRED_MESSAGE, renderOrderStatus, startCountdown } from '../components/order-views';
import { loadFailed } from '../components/ticket-views';
import { h, link } from '../dom';
import { formatCents } from '../money';
import { type Order, formatTimeLeft, listOrders, orderPath } from '../orders';
import { type PageResult, type RouteContext, withNext } from '../router';
import { getCurrentUser } from '../session';

function orderCard(order: Order): HTMLLIElement {
  const timeLeft =
    order.status === 'created'
      ? h('p', { className: 'mt-1 text-sm font-medium text-indigo-600 tabular-nums', attrs: { 'data-testid': 'time-left' } })
      : null;
  const item = h('li', {}, [
    h('a', { className: 'ticket-card flex flex-wrap items-center justify-between gap-x-4 gap-y-2', attrs: { href: orderPath(order.id) } }, [
      h('div', { className: 'min-w-[min(100%,12rem)] flex-1' }, [
        h('h2', { className: 'user-text font-semibold text-slate-900' }, [order.ticket.title]),
        h('p', { className: 'mt-1 text-lg font-semibold text-slate-900' }, [formatCents(order.ticket.price)]),
      ]),
      h('div', { className: 'flex shrink-0 flex-col items-start sm:items-end' }, [renderOrderStatus(order.status), timeLeft]),
    ]),
  ]);
  if (timeLeft) {
    startCountdown(
      item,
      order,
      (ms) => {
        timeLeft.textContent = `${formatTimeLeft(ms)} left to pay`;
      },
      () => {
        timeLeft.textContent = EXPIRED_MESSAGE;
      },
    );
  }
  return item;
}

function emptyState(): HTMLElement {
  return h('div', { className: 'card-sm mt-10 py-16 text-center' }, [
    h('h2', { className: 'text-lg font-semibold text-slate-900' }, ['No orders yet']),
    h('p', { className: 'mt-2 text-sm text-slate-600' }, [
      'Tickets you reserve show up here. ',
      link('/tickets', 'Browse tickets', 'text-link'),
    ]),
  ]);
}

export async function ordersPage(context: RouteContext): Promise<PageResult> {
  const { path } = context;
  if (!getCurrentUser()) return { redirect: withNext('/signin', path) };

  let orders: Order[];
  try {
    orders = await listOrders();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { redirect: withNext('/signin', path) };
    return loadFailed('Your orders could not be loaded', error, context);
  }

  return {
    title: 'My orders',
    content: h('section', { className: 'mx-auto max-w-3xl px-4 py-12 sm:px-6' }, [
      h('h1', { className: 'text-3xl font-semibold tracking-tight text-slate-900' }, ['My orders']),
      h('p', { className: 'mt-2 text-slate-600' }, ['Tickets you have reserved or bought. Newest first.']),
      orders.length === 0
        ? emptyState()
        : h('ul', { className: 'mt-10 grid gap-4', attrs: { 'aria-label': 'My orders' } }, orders.map(orderCard)),
    ]),
  };
}
