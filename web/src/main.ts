/*
 * Ticketing web frontend: a static TypeScript app built by Vite into web/dist.
 *
 * It talks to the API on the same origin (/api/*): the local gateway serves both
 * locally, CloudFront + API Gateway in AWS, and `npm run dev` proxies /api to
 * the gateway on 127.0.0.1:3000. The server must answer unknown paths with
 * index.html so that deep links reach the client-side router.
 *
 *   api.ts          fetch wrapper; every failure is an ApiError with the server's error list
 *   session.ts      the signed-in user, with sign in / up / out
 *   router.ts       History API routing and same-origin link interception
 *   components/     header, form helpers (error placement, pending state), ticket form and views, order views
 *   pages/          one module per route
 *   tickets.ts      the tickets API; money.ts formats and parses prices (integer cents)
 *   orders.ts       the orders API and the time left on a reservation
 *   payments.ts     the payments API (a Stripe PaymentIntent per order); stripe.ts loads Stripe.js
 *   payouts.ts      the payouts API: the seller's payout setup (Stripe Connect) and listings
 *
 * Commands: npm run dev | build | test (vitest) | e2e (Playwright, needs
 * ../scripts/stack.sh and a prior build) | typecheck.
 */

import './styles.css';
import { renderHeader } from './components/header';
import { editTicketPage } from './pages/edit-ticket';
import { homePage } from './pages/home';
import { listingsPage } from './pages/listings';
import { notFoundPage } from './pages/not-found';
import { orderPage } from './pages/order';
import { ordersPage } from './pages/orders';
import { paymentPage } from './pages/payment';
import { sellTicketPage } from './pages/sell-ticket';
import { changePasswordPage } from './pages/change-password';
import { signinPage } from './pages/signin';
import { signupPage } from './pages/signup';
import { ticketPage } from './pages/ticket';
import { ticketsPage } from './pages/tickets';
import { type Route, createRouter } from './router';
import { loadCurrentUser, onSessionChange, signOut } from './session';

const routes: Route[] = [
  { path: '/', page: homePage },
  { path: '/signup', page: signupPage },
  { path: '/signin', page: signinPage },
  { path: '/account/password', page: changePasswordPage },
  { path: '/tickets', page: ticketsPage },
  // Before /tickets/:id, so "new" is not taken for an id.
  { path: '/tickets/new', page: sellTicketPage },
  { path: '/tickets/:id', page: ticketPage },
  { path: '/tickets/:id/edit', page: editTicketPage },
  { path: '/orders', page: ordersPage },
  { path: '/orders/:id', page: orderPage },
  { path: '/orders/:id/payment', page: paymentPage },
  { path: '/listings', page: listingsPage },
];

function requireElement(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id}`);
  return element;
}

async function boot(): Promise<void> {
  const headerSlot = requireElement('site-header');
  const router = createRouter({ routes, notFound: notFoundPage, outlet: requireElement('page'), siteName: 'Ticketing' });

  const headerActions = {
    async signOut() {
      await signOut();
      await router.navigate('/');
    },
  };
  headerSlot.replaceChildren(renderHeader(null, headerActions, { sessionKnown: false }));
  onSessionChange((user) => headerSlot.replaceChildren(renderHeader(user, headerActions)));

  // The first render waits for the session so that guarded pages decide correctly.
  await loadCurrentUser();
  await router.start();
}

void boot();
