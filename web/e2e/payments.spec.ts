import { type Page, expect, test } from '@playwright/test';
import { ORDER_TTL_MS, listTicket, listedIds, purchase, signedUp, unique } from './support';

// Runs against the real stack with the Stripe stand-in, where orders lapse after
// 25 s (OrderTtlSeconds in playwright.config.ts): each test pays soon after it
// reserves. The stand-in's Stripe.js draws the card form as plain inputs in the
// page (the real one puts them in an iframe), and its test cards behave as
// Stripe's do. Seller and buyer each get their own browser context.

/** The payments service learns about a new order from an event, and the page waits for it (up to ~8 s). */
const CARD_FORM_TIMEOUT = 12_000;
/** From the charge to a complete order: Stripe's webhook, then PaymentCreated through the bus to the orders service. */
const COMPLETE_TIMEOUT = 20_000;

const CARDS = {
  succeeds: '4242 4242 4242 4242',
  declined: '4000 0000 0000 0002',
  insufficientFunds: '4000 0000 0000 9995',
};

/** Types a card into the Stripe card form; every test card takes any future expiry and any CVC. */
async function fillCard(page: Page, number: string): Promise<void> {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiration date MM / YY').fill('12 / 34');
  await page.getByLabel('CVC').fill('123');
}

test('pay for a ticket by card: the order completes, and the ticket stays sold after the reservation would have lapsed', async ({
  browser,
  baseURL,
}) => {
  // Waits out the order's whole payment window at the end.
  test.setTimeout(90_000);
  const seller = await signedUp(browser, baseURL, 'seller');
  const title = `E2E payment ${unique('pay')}`;
  const ticketId = await listTicket(seller, title, 2500);
  const buyer = await signedUp(browser, baseURL, 'buyer');

  const orderPath = await purchase(buyer, ticketId, title);
  await expect(buyer.getByTestId('order-status')).toHaveAttribute('data-status', 'created');
  await expect(buyer.getByTestId('time-left')).toHaveText(/^Time left to pay: 00:\d\d$/);
  await buyer.getByRole('main').getByRole('link', { name: 'Pay', exact: true }).click();

  await expect(buyer).toHaveURL(`${orderPath}/payment`);
  await expect(buyer.getByRole('heading', { level: 1, name: 'Pay for your ticket' })).toBeVisible();
  await expect(buyer.getByTestId('payment-ticket')).toHaveText(title);
  await expect(buyer.getByTestId('payment-amount')).toHaveText('$25.00');
  await expect(buyer.getByTestId('time-left')).toHaveText(/^Time left to pay: 00:\d\d$/);

  const pay = buyer.getByRole('button', { name: 'Pay $25.00' });
  await expect(pay).toBeEnabled({ timeout: CARD_FORM_TIMEOUT });
  await fillCard(buyer, CARDS.succeeds);
  await pay.click();

  await expect(buyer.getByRole('heading', { level: 1, name: 'Payment received' })).toBeVisible();
  await expect(buyer.getByTestId('payment-received')).toHaveText('$25.00 paid by card.');
  await expect(buyer.getByRole('heading', { name: 'Your order is complete' })).toBeVisible({ timeout: COMPLETE_TIMEOUT });
  await expect(buyer.getByLabel('Card number')).toHaveCount(0);

  // Coming back to the payment page shows it paid, with no card form.
  await buyer.goto(`${orderPath}/payment`);
  await expect(buyer.getByRole('heading', { level: 1, name: 'This order is already paid' })).toBeVisible();
  await expect(buyer.getByLabel('Card number')).toHaveCount(0);

  // My orders lists it as complete; the order itself has nothing left to do.
  await buyer.getByRole('main').getByRole('link', { name: 'My orders' }).click();
  await expect(buyer).toHaveURL('/orders');
  const row = buyer.getByRole('list', { name: 'My orders' }).getByRole('link').filter({ hasText: title });
  await expect(row.getByTestId('order-status')).toHaveText('Complete');
  await row.click();
  await expect(buyer).toHaveURL(orderPath);
  const status = buyer.getByTestId('order-status');
  await expect(status).toHaveAttribute('data-status', 'complete');
  await expect(status).toHaveText('Complete');
  await expect(buyer.getByTestId('time-left')).toBeHidden();
  await expect(buyer.getByRole('link', { name: 'Pay', exact: true })).toHaveCount(0);
  await expect(buyer.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);

  // A reserved ticket is off the list too; a sold one must stay off it after the reservation
  // would have run out (a lapsed order would put it back), so wait for that moment first.
  const order = (await (await buyer.request.get(`/api${orderPath}`)).json()) as { expiresAt: string };
  const lapsed = Date.parse(order.expiresAt) + 3000;
  await expect.poll(() => Date.now(), { timeout: ORDER_TTL_MS + 10_000 }).toBeGreaterThan(lapsed);

  await buyer.reload();
  await expect(status).toHaveAttribute('data-status', 'complete');
  expect(await listedIds(seller.request)).not.toContain(ticketId);
  // Listed, it would be the newest ticket, so on the first page.
  await seller.goto('/tickets');
  await expect(seller.getByRole('heading', { level: 1, name: 'Tickets for sale' })).toBeVisible();
  await expect(seller.getByRole('list', { name: 'Tickets for sale' }).or(seller.getByText('No tickets for sale yet'))).toBeVisible();
  await expect(seller.getByRole('link', { name: title })).toHaveCount(0);

  await seller.context().close();
  await buyer.context().close();
});

test('a declined card can be replaced by another: declined, insufficient funds, then paid', async ({ browser, baseURL }) => {
  const seller = await signedUp(browser, baseURL, 'seller');
  const title = `E2E payment ${unique('decline')}`;
  const ticketId = await listTicket(seller, title, 1800);
  const buyer = await signedUp(browser, baseURL, 'buyer');

  // Everything up to the last charge must fit in the order's ORDER_TTL_MS.
  const orderPath = await purchase(buyer, ticketId, title);
  await buyer.getByRole('main').getByRole('link', { name: 'Pay', exact: true }).click();
  await expect(buyer).toHaveURL(`${orderPath}/payment`);
  const pay = buyer.getByRole('button', { name: 'Pay $18.00' });
  await expect(pay).toBeEnabled({ timeout: CARD_FORM_TIMEOUT });

  await fillCard(buyer, CARDS.declined);
  await pay.click();
  await expect(buyer.getByRole('alert').filter({ hasText: 'Your card was declined.' })).toBeVisible();
  await expect(pay).toBeEnabled();
  await expect(buyer.getByRole('heading', { level: 1, name: 'Pay for your ticket' })).toBeVisible();

  await fillCard(buyer, CARDS.insufficientFunds);
  await pay.click();
  await expect(buyer.getByRole('alert').filter({ hasText: 'Your card has insufficient funds.' })).toBeVisible();
  await expect(pay).toBeEnabled();

  await fillCard(buyer, CARDS.succeeds);
  await pay.click();
  await expect(buyer.getByRole('heading', { level: 1, name: 'Payment received' })).toBeVisible();
  await expect(buyer.getByRole('alert').filter({ hasText: /declined|insufficient/ })).toHaveCount(0);
  await expect(buyer.getByRole('heading', { name: 'Your order is complete' })).toBeVisible({ timeout: COMPLETE_TIMEOUT });

  await buyer.getByRole('main').getByRole('link', { name: 'View order' }).click();
  await expect(buyer).toHaveURL(orderPath);
  await expect(buyer.getByTestId('order-status')).toHaveAttribute('data-status', 'complete');

  await seller.context().close();
  await buyer.context().close();
});

/** The Stripe stand-in the stack runs (STRIPE_PORT in playwright.config.ts), as Stripe's API. */
const STRIPE_API = `http://127.0.0.1:${process.env['E2E_STRIPE_PORT'] || '12150'}/v1`;
const STRIPE_AUTH = { Authorization: 'Bearer sk_test_local' };

test('a card form left open after the order expired cannot charge it: nothing is taken, the order stays cancelled', async ({
  browser,
  baseURL,
  request,
}) => {
  test.setTimeout(90_000);
  const seller = await signedUp(browser, baseURL, 'seller');
  const title = `E2E payment ${unique('late')}`;
  const ticketId = await listTicket(seller, title, 3300);
  const buyer = await signedUp(browser, baseURL, 'buyer');

  // The buyer opens the card form in time: the PaymentIntent exists in Stripe.
  const orderPath = await purchase(buyer, ticketId, title);
  const started = buyer.waitForResponse(
    (response) => response.url().endsWith('/api/payments') && response.request().method() === 'POST' && response.status() === 201,
  );
  await buyer.getByRole('main').getByRole('link', { name: 'Pay', exact: true }).click();
  const intentId = ((await (await started).json()) as { id: string }).id;
  await expect(buyer.getByRole('button', { name: 'Pay $33.00' })).toBeEnabled({ timeout: CARD_FORM_TIMEOUT });

  // Nobody pays in time: the order expires and the ticket is back on sale.
  await buyer.goto(orderPath);
  await expect(buyer.getByTestId('order-status')).toHaveAttribute('data-status', 'cancelled', {
    timeout: ORDER_TTL_MS + 15_000,
  });

  // The payments side cancels the order's PaymentIntent at Stripe...
  await expect
    .poll(
      async () => {
        const intent = await request.get(`${STRIPE_API}/payment_intents/${intentId}`, { headers: STRIPE_AUTH });
        return ((await intent.json()) as { status: string }).status;
      },
      { timeout: COMPLETE_TIMEOUT },
    )
    .toBe('canceled');

  // ...so a confirmation that reaches Stripe after that (a card form left open) is refused.
  const confirm = await request.post(`${STRIPE_API}/payment_intents/${intentId}/confirm`, {
    headers: STRIPE_AUTH,
    form: { payment_method: 'pm_card_visa' },
  });
  expect(confirm.status()).toBe(400);
  expect(((await confirm.json()) as { error: { code: string } }).error.code).toBe('payment_intent_unexpected_state');
  const refunds = await request.get(`${STRIPE_API}/refunds?payment_intent=${intentId}`, { headers: STRIPE_AUTH });
  expect(((await refunds.json()) as { data: unknown[] }).data).toEqual([]);

  // The order stays cancelled, and the ticket stays for sale.
  await buyer.reload();
  await expect(buyer.getByTestId('order-status')).toHaveAttribute('data-status', 'cancelled');
  expect(await listedIds(seller.request)).toContain(ticketId);

  await seller.context().close();
  await buyer.context().close();
});
