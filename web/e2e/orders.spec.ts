import { type APIRequestContext, type Browser, type Page, expect, test } from '@playwright/test';

// Runs against the real stack, where orders lapse after 25 s (OrderTtlSeconds in
// playwright.config.ts). Seller and buyer each get their own browser context
// (their own cookies); titles are unique, so nothing depends on other tests.

const PASSWORD = 'correct-horse-42';
/** How long the stack keeps an order; see playwright.config.ts. */
const ORDER_TTL_MS = 25_000;
/** Reserving and releasing reach the ticket list through events, asynchronously. */
const LIST_UPDATE_TIMEOUT = 20_000;

function unique(label: string): string {
  return `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A fresh browser context with a newly signed-up user; `page.request` shares its cookies. */
async function signedUp(browser: Browser, baseURL: string | undefined, label: string): Promise<Page> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  const response = await page.request.post('/api/users/signup', {
    data: { email: `e2e-${unique(label)}@example.com`, password: PASSWORD },
  });
  expect(response.status()).toBe(201);
  return page;
}

async function listTicket(seller: Page, title: string, price: number): Promise<string> {
  const response = await seller.request.post('/api/tickets', { data: { title, price } });
  expect(response.status()).toBe(201);
  const ticket = (await response.json()) as { id: string };
  return ticket.id;
}

/** Every ticket id GET /api/tickets lists, following the cursor to the end. */
async function listedIds(request: APIRequestContext): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const response = await request.get(`/api/tickets?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(response.ok()).toBe(true);
    const page = (await response.json()) as { tickets: { id: string }[]; nextCursor: string | null };
    ids.push(...page.tickets.map((ticket) => ticket.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

async function expectListed(request: APIRequestContext, ticketId: string, listed: boolean, timeout = LIST_UPDATE_TIMEOUT): Promise<void> {
  await expect(async () => {
    const ids = await listedIds(request);
    expect(ids.includes(ticketId)).toBe(listed);
  }).toPass({ timeout });
}

/** The /tickets page shows the ticket's card, clicking "Load more" as far as needed. */
async function expectCardOnTicketsPage(page: Page, title: string): Promise<void> {
  await page.goto('/tickets');
  await expect(page.getByRole('heading', { level: 1, name: 'Tickets for sale' })).toBeVisible();
  const card = page.getByRole('link', { name: title });
  const more = page.getByRole('button', { name: 'Load more' });
  for (let pages = 0; pages < 50 && !(await card.isVisible()); pages++) {
    if (!(await more.isVisible())) break;
    await more.click();
    await expect(more).toBeEnabled();
  }
  await expect(card).toBeVisible();
}

/** Opens the ticket as the buyer, clicks Purchase and waits for the order page; returns its path. */
async function purchase(buyer: Page, ticketId: string, title: string): Promise<string> {
  await buyer.goto(`/tickets/${ticketId}`);
  await expect(buyer.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await buyer.getByRole('button', { name: 'Purchase' }).click();
  await expect(buyer).toHaveURL(/\/orders\/[^/]+$/);
  return new URL(buyer.url()).pathname;
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
