import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCurrentUser } from '../session';
import { mountPage, requests, routeContext, serve, submitForm } from '../test-support';
import { changePasswordPage } from './change-password';

beforeEach(() => {
  setCurrentUser({ id: 'u1', email: 'a@example.com' });
});

afterEach(() => {
  setCurrentUser(null);
  document.body.innerHTML = '';
});

function fill(current: string, next: string): void {
  (document.querySelector('input[name="currentPassword"]') as HTMLInputElement).value = current;
  (document.querySelector('input[name="newPassword"]') as HTMLInputElement).value = next;
  submitForm(document.querySelector('form') as HTMLFormElement);
}

describe('changing the password', () => {
  it('sends both passwords and says that other browsers are signed out', async () => {
    const fetchMock = serve({ 'POST /api/users/password': { status: 204 } });
    await mountPage(changePasswordPage, routeContext('/account/password'));

    fill('password123', 'a-new-password-456');

    await vi.waitFor(() => expect(document.querySelector('[role="status"]')?.textContent).toContain('Every other browser is signed out'));
    expect(requests(fetchMock)).toEqual([
      { call: 'POST /api/users/password', body: { currentPassword: 'password123', newPassword: 'a-new-password-456' } },
    ]);
  });

  it('shows a wrong current password under that field', async () => {
    serve({
      'POST /api/users/password': { status: 400, body: { errors: [{ message: 'Current password is wrong', field: 'currentPassword' }] } },
    });
    await mountPage(changePasswordPage, routeContext('/account/password'));

    fill('not-my-password', 'a-new-password-456');

    await vi.waitFor(() =>
      expect(document.querySelector('[data-field="currentPassword"]')?.textContent).toContain('Current password is wrong'),
    );
    expect((document.querySelector('[role="status"]') as HTMLElement).hidden).toBe(true);
  });

  it('sends a signed-out visitor to sign in first', () => {
    setCurrentUser(null);
    expect(changePasswordPage(routeContext('/account/password'))).toEqual({ redirect: '/signin?next=%2Faccount%2Fpassword' });
  });
});
