import { expect, test } from '@playwright/test';
import { listTicket, signedUp, unique } from './support';

// A ticket page left open in one browser follows what happens to the ticket
// elsewhere, without a reload: the page polls every 5 s while it is visible.

/** Two polls and the reservation's way through the events to the ticket. */
const PAGE_UPDATE_TIMEOUT = 20_000;

test('a ticket page open in one browser shows "Reserved" and offers no purchase once someone else reserves it', async ({
  browser,
  baseURL,
}) => {
  const seller = await signedUp(browser, baseURL, 'live-seller');
  const title = `E2E live ${unique('live')}`;
  const ticketId = await listTicket(seller, title, 2200);
  const watcher = await signedUp(browser, baseURL, 'live-watcher');
  const buyer = await signedUp(browser, baseURL, 'live-buyer');

  await watcher.goto(`/tickets/${ticketId}`);
  await expect(watcher.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(watcher.getByRole('button', { name: 'Purchase' })).toBeEnabled();
  await expect(watcher.getByTestId('reserved-badge')).toHaveCount(0);
  const loads = { count: 0 };
  watcher.on('load', () => loads.count++);

  await buyer.goto(`/tickets/${ticketId}`);
  await buyer.getByRole('button', { name: 'Purchase' }).click();
  await expect(buyer).toHaveURL(/\/orders\/[^/]+$/);

  await expect(watcher.getByTestId('reserved-badge')).toHaveText('Reserved', { timeout: PAGE_UPDATE_TIMEOUT });
  await expect(watcher.getByRole('button', { name: 'Purchase' })).toBeDisabled();
  await expect(watcher.getByRole('status').filter({ hasText: 'Someone else has just reserved this ticket' })).toBeVisible();
  expect(loads.count).toBe(0);

  await seller.context().close();
  await watcher.context().close();
  await buyer.context().close();
});
