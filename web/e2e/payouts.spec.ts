import { type Page, expect, test } from '@playwright/test';
import { CARD_FORM_TIMEOUT, listTicket, purchase, signedUp, unique } from './support';

// Sellers get paid, in a real browser against the real stack and the Stripe
// stand-in's Connect: "Set up payouts" goes through the stand-in's hosted
// onboarding page and back; a buyer pays with 4242…; "My listings" shows the
// sale and its payout. The stand-in is then asked what Stripe holds: exactly one
// transfer of 90 % to the seller's connected account, grouped by the order.

const stripePort = process.env['E2E_STRIPE_PORT'] || '12150';
const STRIPE_API = `http://127.0.0.1:${stripePort}/v1`;
const STRIPE_KEY = 'sk_test_local';
/** From the charge to the payout: the webhook, PaymentCreated and OrderCompleted through the bus, the transfer. */
const PAYOUT_TIMEOUT = 30_000;

type Transfer = { id: string; amount: number; destination: string; transfer_group: string | null };

async function stripeGet<T>(page: Page, path: string): Promise<T> {
  const response = await page.request.get(`${STRIPE_API}${path}`, { headers: { Authorization: `Bearer ${STRIPE_KEY}` } });
  expect(response.ok()).toBe(true);
  return (await response.json()) as T;
}

async function transfersOf(page: Page, orderId: string): Promise<Transfer[]> {
  return (await stripeGet<{ data: Transfer[] }>(page, `/transfers?transfer_group=${encodeURIComponent(orderId)}`)).data;
}

async function userId(page: Page): Promise<string> {
  const response = await page.request.get('/api/users/currentuser');
  return ((await response.json()) as { currentUser: { id: string } }).currentUser.id;
}

/** Pays the order the buyer's page shows with 4242…; returns the order id. */
async function payWithTestCard(buyer: Page, ticketId: string, title: string, amount: string): Promise<string> {
  const orderPath = await purchase(buyer, ticketId, title);
  await buyer.getByRole('main').getByRole('link', { name: 'Pay', exact: true }).click();
  const pay = buyer.getByRole('button', { name: `Pay ${amount}` });
  await expect(pay).toBeEnabled({ timeout: CARD_FORM_TIMEOUT });
  await buyer.getByLabel('Card number').fill('4242 4242 4242 4242');
  await buyer.getByLabel('Expiration date MM / YY').fill('12 / 34');
  await buyer.getByLabel('CVC').fill('123');
  await pay.click();
  await expect(buyer.getByRole('heading', { level: 1, name: 'Payment received' })).toBeVisible();
  return orderPath.split('/').pop() as string;
}

/** From "My listings": Set up payouts, then the stand-in's hosted onboarding, then back. */
async function setUpPayouts(seller: Page, button: string, finish: boolean): Promise<void> {
  await seller.goto('/listings');
  await seller.getByRole('button', { name: button }).click();
  await expect(seller.getByRole('heading', { level: 1, name: 'Set up payouts' })).toBeVisible();
  // Stripe's test data is filled in already.
  await expect(seller.getByLabel('Routing number')).toHaveValue('110000000');
  await seller.getByRole('button', { name: finish ? 'Finish onboarding' : 'Leave for now' }).click();
  await expect(seller).toHaveURL(/\/listings\?payouts=return$/);
  await expect(seller.getByRole('heading', { level: 1, name: 'My listings' })).toBeVisible();
}

function listing(seller: Page, title: string) {
  return seller.getByTestId('listing').filter({ hasText: title });
}

/** Reloads "My listings" until the listing's payout is in `state` (the events take a moment). */
async function waitForPayout(seller: Page, title: string, state: 'waiting_for_setup' | 'sent'): Promise<void> {
  await expect(async () => {
    await seller.reload();
    await expect(listing(seller, title).getByTestId('payout')).toHaveAttribute('data-payout', state, { timeout: 2_000 });
  }).toPass({ timeout: PAYOUT_TIMEOUT });
}

test('a seller who set up payouts sees the sale and the payout sent; Stripe holds one transfer of 90 %', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const seller = await signedUp(browser, baseURL, 'payout-seller');
  const title = `E2E payout ${unique('paid')}`;
  const ticketId = await listTicket(seller, title, 2500);

  // The header leads to "My listings", where the ticket is for sale.
  await seller.goto('/');
  await seller.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My listings' }).click();
  await expect(seller).toHaveURL('/listings');
  await expect(listing(seller, title).getByTestId('listing-state')).toHaveText('For sale');
  await expect(seller.getByTestId('payout-setup')).toHaveAttribute('data-status', 'none');

  await setUpPayouts(seller, 'Set up payouts', true);
  await expect(seller.getByTestId('payout-setup')).toHaveAttribute('data-status', 'ready', { timeout: 15_000 });

  const buyer = await signedUp(browser, baseURL, 'payout-buyer');
  const orderId = await payWithTestCard(buyer, ticketId, title, '$25.00');

  // My listings shows it sold: price, fee, and the payout sent with Stripe's transfer id.
  await waitForPayout(seller, title, 'sent');
  const row = listing(seller, title);
  await expect(row.getByTestId('listing-state')).toHaveText('Sold');
  await expect(row).toContainText('$25.00');
  await expect(row).toContainText('$2.50');
  await expect(row.getByTestId('payout')).toContainText('Payout of $22.50 sent');
  const transferId = (await row.getByTestId('transfer-id').textContent()) ?? '';

  // Stripe (the stand-in) holds exactly one transfer for the order: 90 %, to the seller's account.
  const transfers = await transfersOf(seller, orderId);
  expect(transfers).toHaveLength(1);
  const transfer = transfers[0] as Transfer;
  expect(transfer.id).toBe(transferId);
  expect(transfer.amount).toBe(2250);
  expect(transfer.transfer_group).toBe(orderId);
  const account = await stripeGet<{ metadata: Record<string, string>; payouts_enabled: boolean }>(seller, `/accounts/${transfer.destination}`);
  expect(account.metadata['userId']).toBe(await userId(seller));
  expect(account.payouts_enabled).toBe(true);

  await seller.context().close();
  await buyer.context().close();
});

test('a seller who never set up payouts sees the payout waiting; after onboarding it is sent once', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const seller = await signedUp(browser, baseURL, 'late-seller');
  const title = `E2E payout ${unique('waiting')}`;
  const ticketId = await listTicket(seller, title, 4000);
  const buyer = await signedUp(browser, baseURL, 'late-buyer');
  const orderId = await payWithTestCard(buyer, ticketId, title, '$40.00');

  await seller.goto('/listings');
  await waitForPayout(seller, title, 'waiting_for_setup');
  const row = listing(seller, title);
  await expect(row.getByTestId('listing-state')).toHaveText('Sold');
  await expect(row.getByTestId('payout')).toHaveText('Payout of $36.00 waiting for your payout setup');
  expect(await transfersOf(seller, orderId)).toHaveLength(0);

  // Leaving onboarding unfinished pays nothing.
  await setUpPayouts(seller, 'Set up payouts', false);
  await expect(seller.getByTestId('payout-setup')).toHaveAttribute('data-status', 'incomplete');
  await expect(listing(seller, title).getByTestId('payout')).toHaveAttribute('data-payout', 'waiting_for_setup');
  expect(await transfersOf(seller, orderId)).toHaveLength(0);

  // Finishing it sends the payout, once.
  await setUpPayouts(seller, 'Finish payout setup', true);
  await expect(listing(seller, title).getByTestId('payout')).toHaveAttribute('data-payout', 'sent', { timeout: PAYOUT_TIMEOUT });
  const transfers = await transfersOf(seller, orderId);
  expect(transfers).toHaveLength(1);
  expect((transfers[0] as Transfer).amount).toBe(3600);

  await seller.context().close();
  await buyer.context().close();
});
