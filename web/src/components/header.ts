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

  // Below `sm` the home page's call to action stands in for the nav, so the account area fits.
  const nav = h('nav', { className: 'hidden items-center gap-1 sm:flex', attrs: { 'aria-label': 'Main' } }, [
    link('/tickets', 'Tickets', 'nav-link'),
    user ? link('/orders', 'Orders', 'nav-link') : null,
  ]);

  return h('header', { className: 'site-header' }, [
    h('div', { className: 'mx-auto flex h-16 max-w-6xl items-center gap-3 px-4 sm:gap-6 sm:px-6' }, [
      brand,
      nav,
      h('div', { className: 'ml-auto flex min-w-0 items-center justify-end gap-2 sm:gap-3' }, account),
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
    className: 'min-w-0 max-w-[16rem] truncate text-sm font-medium text-slate-700',
    attrs: { 'data-testid': 'current-user-email', title: user.email },
  }, [user.email]);

  const password = link('/account/password', 'Password', 'btn btn-ghost');

  return [status, h('span', { className: 'avatar', attrs: { 'aria-hidden': 'true' } }, [initial(user.email)]), email, password, button];
}

function initial(email: string): string {
  return (email.trim()[0] ?? '?').toUpperCase();
}
