import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { ORDER_TTL_MS, findListedCard, listTicket, listedIds, purchase, signedUp, unique } from './support';

// Runs against the real stack, where orders lapse after 25 s (OrderTtlSeconds in
// playwright.config.ts). Seller and buyer each get their own browser context
// (their own cookies); titles are unique, so nothing depends on other tests.

/** Reserving and releasing reach the ticket list through events, asynchronously. */
const LIST_UPDATE_TIMEOUT = 20_000;

async function expectListed(request: APIRequestContext, ticketId: string, listed: boolean, timeout = LIST_UPDATE_TIMEOUT): Promise<void> {
  await expect(async () => {
    const ids = await listedIds(request);
    expect(ids.includes(ticketId)).toBe(listed);
  }).toPass({ timeout });
}

/** Opens /tickets and finds the ticket's card there. */
async function expectCardOnTicketsPage(page: Page, title: string): Promise<void> {
  await page.goto('/tickets');
  await findListedCard(page, title);
}

test('buy a ticket: the order counts down, the ticket leaves the list, cancelling puts it back', async ({ browser, baseURL }) => {
  const seller = await signedUp(browser, baseURL, 'seller');
  const title = `E2E order ${unique('buy')}`;
  const ticketId = await listTicket(seller, title, 4200);
  const buyer = await signedUp(browser, baseURL, 'buyer');

  // The order lives ORDER_TTL_MS from here: everything up to the cancel must fit well inside it.
  const orderPath = await purchase(buyer, ticketId, title);
  const status = buyer.getByTestId('order-status');
  await expect(buyer.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(status).toHaveAttribute('data-status', 'created');
  await expect(status).toHaveText('Awaiting payment');
  await expect(buyer.getByTestId('order-price')).toHaveText('$42.00');
  const timeLeft = buyer.getByTestId('time-left');
  await expect(timeLeft).toHaveText(/^Time left to pay: 00:\d\d$/);
  const secondsLeft = Number((await timeLeft.textContent())?.slice(-2));
  expect(secondsLeft).toBeGreaterThan(0);
  expect(secondsLeft).toBeLessThanOrEqual(ORDER_TTL_MS / 1000);
  const shown = await timeLeft.textContent();
  await expect(timeLeft).not.toHaveText(shown ?? '', { timeout: 2500 }); // it is ticking

  // Seen by anyone browsing: the seller's context here.
  await expectListed(seller.request, ticketId, false, ORDER_TTL_MS - 4000);

  await buyer.getByRole('button', { name: 'Cancel order' }).click();
  await buyer.getByRole('button', { name: 'Yes, cancel order' }).click();
  await expect(status).toHaveAttribute('data-status', 'cancelled');
  await expect(status).toHaveText('Cancelled');
  await expect(timeLeft).toBeHidden();
  await expect(buyer.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);

  await expectListed(seller.request, ticketId, true);
  await expectCardOnTicketsPage(seller, title);

  // The buyer finds the order, cancelled, under Orders.
  await buyer.getByRole('banner').getByRole('link', { name: 'Orders' }).click();
  await expect(buyer).toHaveURL('/orders');
  const row = buyer.getByRole('list', { name: 'My orders' }).getByRole('link').filter({ hasText: title });
  await expect(row).toHaveAttribute('href', orderPath);
  await expect(row.getByTestId('order-status')).toHaveText('Cancelled');

  await seller.context().close();
  await buyer.context().close();
});

test('reserve and let it expire: the countdown runs out, the order is cancelled, the ticket is listed again', async ({ browser, baseURL }) => {
  test.setTimeout(90_000); // the whole ORDER_TTL_MS passes in it
  const seller = await signedUp(browser, baseURL, 'seller');
  const title = `E2E order ${unique('expire')}`;
  const ticketId = await listTicket(seller, title, 1500);
  const buyer = await signedUp(browser, baseURL, 'buyer');

  await purchase(buyer, ticketId, title);
  const status = buyer.getByTestId('order-status');
  const timeLeft = buyer.getByTestId('time-left');
  await expect(status).toHaveAttribute('data-status', 'created');
  await expect(timeLeft).toHaveText(/^Time left to pay: 00:\d\d$/);

  // Nobody cancels: the page counts down, then shows what the server did once the time was up.
  await expect(timeLeft).toHaveText(/^Time left to pay: 00:0[1-5]$/, { timeout: ORDER_TTL_MS });
  await expect(status).toHaveAttribute('data-status', 'cancelled', { timeout: 40_000 });
  await expect(status).toHaveText('Cancelled');
  await expect(buyer.getByRole('main').getByRole('status')).toHaveText('The reservation ran out before payment, so the order was cancelled.');
  await expect(timeLeft).toBeHidden();

  await expectListed(seller.request, ticketId, true);
  await expectCardOnTicketsPage(seller, title);

  await seller.context().close();
  await buyer.context().close();
});
