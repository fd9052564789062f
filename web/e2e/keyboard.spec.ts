import { type Locator, type Page, expect, test } from '@playwright/test';
import { CARD_FORM_TIMEOUT, PASSWORD, listTicket, signedUp, unique, uniqueEmail } from './support';

// The whole purchase with the keyboard alone: no clicks, only Tab, Shift+Tab,
// Enter and typing. Every element that takes focus on the way must show it, and
// every navigation must put focus on the new page's main heading.

/** From the charge to a complete order: Stripe's webhook, then PaymentCreated through the bus to the orders service. */
const COMPLETE_TIMEOUT = 20_000;
/** More Tab presses than any page here has stops before its main content ends. */
const MAX_TABS = 40;

/** How the focused element shows focus: an outline, or (Stripe's card inputs) the ring on the card form around them. */
async function focusIndicator(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!(element instanceof HTMLElement) || element === document.body) return 'nothing is focused';
    const style = getComputedStyle(element);
    if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) return 'outline';
    if (element.closest('.StripeElement--focus')) return 'card form ring';
    return `no focus indicator on <${element.tagName.toLowerCase()}> "${(element.textContent ?? '').trim().slice(0, 30)}"`;
  });
}

/** Presses `key` (Tab or Shift+Tab) until `target` has focus, checking each stop on the way shows focus. */
async function moveFocusTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let presses = 0; presses < MAX_TABS; presses++) {
    await page.keyboard.press(key);
    expect(await focusIndicator(page)).toMatch(/^(outline|card form ring)$/);
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${key} never reached ${target}`);
}

/** After a navigation, focus is on the new page's h1 (named `name`). */
async function expectFocusOnHeading(page: Page, name: string | RegExp): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name })).toBeFocused();
}

test('sign up, find a ticket, reserve it and pay by card with the keyboard alone', async ({ browser, baseURL, page }) => {
  test.setTimeout(90_000);
  const seller = await signedUp(browser, baseURL, 'kbd-seller');
  const title = `Keyboard ${unique('kbd')}`;
  const ticketId = await listTicket(seller, title, 1500);

  await page.goto('/signup');
  await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
  await moveFocusTo(page, page.getByLabel('Email'));
  await page.keyboard.type(uniqueEmail('kbd-buyer'));
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');

  // Signed up: the home page, focus on its heading; Tickets from the header's navigation.
  await expectFocusOnHeading(page, /Buy and sell tickets/);
  await expect(page.getByRole('banner').getByRole('button', { name: 'Sign out' })).toBeVisible();
  await moveFocusTo(page, page.getByRole('banner').getByRole('link', { name: 'Tickets' }), 'Shift+Tab');
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Tickets for sale');

  // The ticket is the newest, or further down behind "Load more".
  const card = page.getByRole('link', { name: title });
  const more = page.getByRole('button', { name: 'Load more' });
  while (!(await card.isVisible())) {
    await moveFocusTo(page, more);
    await page.keyboard.press('Enter');
    await expect(more.or(card)).toBeVisible();
  }
  await moveFocusTo(page, card);
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, title);
  expect(new URL(page.url()).pathname).toBe(`/tickets/${ticketId}`);

  await moveFocusTo(page, page.getByRole('button', { name: 'Purchase' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  await expectFocusOnHeading(page, title);
  await expect(page.getByRole('timer')).toHaveText(/^Time left to pay: 00:\d\d$/);

  await moveFocusTo(page, page.getByRole('main').getByRole('link', { name: 'Pay', exact: true }));
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Pay for your ticket');
  const pay = page.getByRole('button', { name: 'Pay $15.00' });
  await expect(pay).toBeEnabled({ timeout: CARD_FORM_TIMEOUT });

  // A complete, valid entry moves on to the next card field by itself, as Stripe's form does.
  await moveFocusTo(page, page.getByLabel('Card number'));
  await page.keyboard.type('4242 4242 4242 4242');
  await expect(page.getByLabel('Expiration date MM / YY')).toBeFocused();
  await page.keyboard.type('1234');
  await expect(page.getByLabel('CVC')).toBeFocused();
  await page.keyboard.type('123');
  await moveFocusTo(page, pay);
  await page.keyboard.press('Enter');

  await expectFocusOnHeading(page, 'Payment received');
  await expect(page.getByRole('heading', { name: 'Your order is complete' })).toBeVisible({ timeout: COMPLETE_TIMEOUT });
  await moveFocusTo(page, page.getByRole('main').getByRole('link', { name: 'View order' }));
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, title);
  await expect(page.getByTestId('order-status')).toHaveText('Complete');

  await seller.context().close();
});
