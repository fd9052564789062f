import { expect, test } from '@playwright/test';
import { PASSWORD, findListedCard, signUp, unique, uniqueEmail } from './support';

// Runs against the real stack. Each test signs up its own seller and gives its
// tickets unique titles, so nothing depends on what other tests or runs left behind.

test('sell a ticket, find it in the list, edit its price', async ({ page }) => {
  const email = await signUp(page, 'seller');
  const title = `E2E ticket ${unique('sell')}`;

  await page.goto('/tickets');
  await expect(page.getByRole('banner').getByTestId('current-user-email')).toHaveText(email);
  await page.getByRole('link', { name: 'Sell a ticket' }).click();
  await expect(page).toHaveURL('/tickets/new');

  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Price').fill('25.00');
  await page.getByRole('button', { name: 'List ticket' }).click();

  await expect(page).toHaveURL(/\/tickets\/(?!new$)[^/]+$/);
  const detailUrl = new URL(page.url()).pathname;
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId('ticket-price')).toHaveText('$25.00');
  await expect(page.getByTestId('reserved-badge')).toHaveCount(0);
  // The seller's own ticket: no way to buy it, and the page says why.
  await expect(page.getByText('This is your ticket, so you cannot buy it.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Purchase' })).toHaveCount(0);

  await page.getByRole('banner').getByRole('link', { name: 'Tickets' }).click();
  await expect(page).toHaveURL('/tickets');
  const card = await findListedCard(page, title);
  await expect(card).toContainText('$25.00');

  await card.click();
  await expect(page).toHaveURL(detailUrl);
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page).toHaveURL(`${detailUrl}/edit`);
  await expect(page.getByLabel('Title')).toHaveValue(title);
  await expect(page.getByLabel('Price')).toHaveValue('25.00');

  await page.getByLabel('Price').fill('30.50');
  await page.getByRole('button', { name: 'Save changes' }).click();

  await expect(page).toHaveURL(detailUrl);
  await expect(page.getByTestId('ticket-price')).toHaveText('$30.50');
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();

  // The change was saved, not just shown.
  await page.reload();
  await expect(page.getByTestId('ticket-price')).toHaveText('$30.50');
});

test('a bad price is refused next to the price field', async ({ page }) => {
  await signUp(page, 'seller');
  await page.goto('/tickets/new');
  await expect(page.getByRole('heading', { name: 'Sell a ticket' })).toBeVisible();

  const priceField = page.locator('[data-field="price"]');
  const priceInput = page.getByLabel('Price');
  await page.getByLabel('Title').fill(`E2E ticket ${unique('bad-price')}`);

  for (const [price, message] of [
    ['abc', 'Enter a price in dollars, like 12.50'],
    ['0.25', 'Price must be at least $0.50'],
  ] as const) {
    await priceInput.fill(price);
    await page.getByRole('button', { name: 'List ticket' }).click();

    await expect(priceField).toContainText(message);
    await expect(priceInput).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('[data-field="title"]')).not.toContainText(message);
    await expect(page).toHaveURL('/tickets/new');
  }
});

test('a signed-out visitor is sent to sign in before selling, and comes back', async ({ page }) => {
  const email = uniqueEmail('returning');
  const created = await page.request.post('/api/users/signup', { data: { email, password: PASSWORD } });
  expect(created.status()).toBe(201);
  await page.request.post('/api/users/signout');

  await page.goto('/tickets/new');
  await expect(page).toHaveURL('/signin?next=%2Ftickets%2Fnew');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL('/tickets/new');
  await expect(page.getByRole('heading', { name: 'Sell a ticket' })).toBeVisible();
});
