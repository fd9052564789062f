import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCurrentUser } from '../session';
import { mountPage, routeContext, serve, submitForm } from '../test-support';
import { signinPage } from './signin';
import { signupPage } from './signup';

beforeEach(() => {
  setCurrentUser(null);
});

afterEach(() => {
  setCurrentUser(null);
  document.body.innerHTML = '';
});

describe('signing in on the way somewhere', () => {
  it('returns to `next` after signing in, and keeps it on the link to sign up', async () => {
    serve({ 'POST /api/users/signin': { status: 200, body: { id: 'u1', email: 'a@example.com' } } });
    const context = routeContext('/signin', {}, 'next=%2Ftickets%2Fnew');
    await mountPage(signinPage, context);
    expect(Array.from(document.querySelectorAll('a')).find((a) => a.textContent === 'Create an account')?.getAttribute('href')).toBe(
      '/signup?next=%2Ftickets%2Fnew',
    );

    (document.querySelector('input[name="email"]') as HTMLInputElement).value = 'a@example.com';
    (document.querySelector('input[name="password"]') as HTMLInputElement).value = 'secret123';
    submitForm(document.querySelector('form') as HTMLFormElement);

    await vi.waitFor(() => expect(context.navigate).toHaveBeenCalledWith('/tickets/new'));
  });

  it('goes home without `next`, and never to another site', async () => {
    serve({ 'POST /api/users/signup': { status: 201, body: { id: 'u1', email: 'a@example.com' } } });
    const context = routeContext('/signup', {}, 'next=https%3A%2F%2Fevil.test%2F');
    await mountPage(signupPage, context);

    (document.querySelector('input[name="email"]') as HTMLInputElement).value = 'a@example.com';
    (document.querySelector('input[name="password"]') as HTMLInputElement).value = 'secret123';
    submitForm(document.querySelector('form') as HTMLFormElement);

    await vi.waitFor(() => expect(context.navigate).toHaveBeenCalledWith('/'));
  });

  it('sends a signed-in user straight on to `next`', () => {
    setCurrentUser({ id: 'u1', email: 'a@example.com' });
    expect(signinPage(routeContext('/signin', {}, 'next=%2Ftickets%2Ft1'))).toEqual({ redirect: '/tickets/t1' });
    expect(signupPage(routeContext('/signup'))).toEqual({ redirect: '/' });
  });
});
