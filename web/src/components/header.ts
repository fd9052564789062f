// The site header: brand, main navigation, and either the signed-in user's
// email with a sign-out button or links to sign in and sign up.

import { h, link } from '../dom';
import type { CurrentUser } from '../session';

export interface HeaderActions {
  /** Signs out and moves on; a rejection is shown next to the button. */
  signOut(): Promise<void>;
}

export interface HeaderOptions {
  /** False before the server has said who is signed in: the account area stays empty instead of guessing. */
  sessionKnown?: boolean;
}

export function renderHeader(user: CurrentUser | null, actions: HeaderActions, options: HeaderOptions = {}): HTMLElement {
  const account = options.sessionKnown === false ? [] : user ? signedIn(user, actions) : signedOut();

  const brand = h('a', { className: 'brand', attrs: { href: '/' } }, [
    h('span', { className: 'brand-mark', attrs: { 'aria-hidden': 'true' } }),
    'Ticketing',
  ]);

  const nav = h('nav', { className: 'flex items-center gap-1', attrs: { 'aria-label': 'Main' } }, [
    link('/tickets', 'Tickets', 'nav-link'),
    user ? link('/orders', 'Orders', 'nav-link') : null,
    user ? link('/listings', 'My listings', 'nav-link') : null,
  ]);

  return h('header', { className: 'site-header' }, [
    // On a phone the account area (a long email, its buttons) wraps onto lines of its own rather than overflow.
    h('div', { className: 'mx-auto flex min-h-16 max-w-6xl flex-wrap items-center gap-x-3 gap-y-2 px-4 py-3 sm:gap-x-6 sm:px-6' }, [
      brand,
      nav,
      h('div', { className: 'ml-auto flex min-w-0 flex-wrap items-center justify-end gap-2 sm:gap-3' }, account),
    ]),
  ]);
}

function signedOut(): HTMLElement[] {
  return [link('/signin', 'Sign in', 'btn btn-ghost'), link('/signup', 'Sign up', 'btn btn-primary')];
}

function signedIn(user: CurrentUser, actions: HeaderActions): HTMLElement[] {
  const status = h('span', { className: 'sr-only', attrs: { role: 'status' } });
  const button = h('button', { className: 'btn btn-secondary', attrs: { type: 'button' } }, ['Sign out']);
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = '';
    try {
      await actions.signOut();
    } catch {
      status.textContent = 'Sign out failed. Please try again.';
      status.classList.remove('sr-only');
      status.classList.add('text-sm', 'text-red-600');
    } finally {
      button.disabled = false;
    }
  });

  const email = h('span', {
    className: 'email-text min-w-0 text-right text-sm font-medium text-slate-700 sm:max-w-[16rem]',
    attrs: { 'data-testid': 'current-user-email' },
  }, breakableEmail(user.email));

  const password = link('/account/password', 'Password', 'btn btn-ghost');

  return [status, h('span', { className: 'avatar', attrs: { 'aria-hidden': 'true' } }, [initial(user.email)]), email, password, button];
}

/** The email as text with a line-break opportunity (<wbr>) before "@" and each ".", where a long one reads best split. */
export function breakableEmail(email: string): Node[] {
  const nodes: Node[] = [];
  for (const part of email.split(/(?=[@.])/)) {
    if (nodes.length > 0) nodes.push(document.createElement('wbr'));
    nodes.push(document.createTextNode(part));
  }
  return nodes;
}

function initial(email: string): string {
  return (email.trim()[0] ?? '?').toUpperCase();
}
