import { type Page, expect, test } from '@playwright/test';
import { PASSWORD, uniqueEmail } from './support';

// Runs against the real stack: every test makes its own user, so tests never
// depend on each other or on what an earlier run left in the tables.

async function fillCredentials(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
}

test('sign up, stay signed in across a reload, sign out, sign in again', async ({ page }) => {
  const email = uniqueEmail('flow');
  const header = page.getByRole('banner');
  const shownEmail = header.getByTestId('current-user-email');

  await page.goto('/signup');
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  await fillCredentials(page, email, PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();

  await expect(page).toHaveURL('/');
  await expect(shownEmail).toHaveText(email);
  await expect(header.getByRole('link', { name: 'Sign in' })).toHaveCount(0);

  await page.reload();
  await expect(shownEmail).toHaveText(email);

  // Signed-in users have no business on the auth pages.
  await page.goto('/signin');
  await expect(page).toHaveURL('/');

  await header.getByRole('button', { name: 'Sign out' }).click();
  await expect(header.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(shownEmail).toHaveCount(0);
  await expect(page).toHaveURL('/');

  // The cookie really is gone, not just the header state.
  await page.reload();
  await expect(header.getByRole('link', { name: 'Sign in' })).toBeVisible();

  await header.getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/signin');
  await fillCredentials(page, email, PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL('/');
  await expect(shownEmail).toHaveText(email);
});

test("shows the server's errors: next to the email field, and Invalid credentials in the alert", async ({ page, request }) => {
  await page.goto('/signup');
  await fillCredentials(page, 'not-an-email', PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();

  const emailInput = page.getByLabel('Email');
  await expect(page.locator('[data-field="email"]')).toContainText('Email must be valid');
  await expect(emailInput).toHaveAttribute('aria-invalid', 'true');
  await expect(emailInput).toHaveAccessibleDescription('Email must be valid');
  await expect(page.locator('[data-field="password"]')).not.toContainText('Email must be valid');
  await expect(page).toHaveURL('/signup');

  // A user who exists, created through the API so this page stays signed out.
  const email = uniqueEmail('wrong-password');
  const created = await request.post('/api/users/signup', { data: { email, password: PASSWORD } });
  expect(created.status()).toBe(201);

  await page.goto('/signin');
  await fillCredentials(page, email, 'not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('alert')).toHaveText('Invalid credentials');
  await expect(page).toHaveURL('/signin');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('banner').getByTestId('current-user-email')).toHaveCount(0);
});

test('changing the password signs out the other browser and keeps this one', async ({ page, browser, baseURL }) => {
  const email = uniqueEmail('change-password');
  const header = page.getByRole('banner');
  await page.goto('/signup');
  await fillCredentials(page, email, PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(header.getByTestId('current-user-email')).toHaveText(email);

  // the same person signed in from another browser
  const other = await browser.newContext(baseURL ? { baseURL } : {});
  const otherPage = await other.newPage();
  await otherPage.goto('/signin');
  await fillCredentials(otherPage, email, PASSWORD);
  await otherPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(otherPage.getByRole('banner').getByTestId('current-user-email')).toHaveText(email);

  await header.getByRole('link', { name: 'Password' }).click();
  await expect(page).toHaveURL('/account/password');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('a-new-password-456');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();

  // this browser stays signed in; the other one is signed out
  await page.reload();
  await expect(header.getByTestId('current-user-email')).toHaveText(email);
  await otherPage.reload();
  await expect(otherPage.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();

  // the old password no longer signs in
  await otherPage.goto('/signin');
  await fillCredentials(otherPage, email, PASSWORD);
  await otherPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(otherPage.getByRole('alert')).toHaveText('Invalid credentials');
  await other.close();
});
