// What the browser tests share. Every test makes its own users and gives its
// tickets unique titles, so no test depends on another or on an earlier run.
import { type APIRequestContext, type Browser, type Locator, type Page, expect } from '@playwright/test';

export const PASSWORD = 'correct-horse-42';

/** How long the e2e stack keeps an order: OrderTtlSeconds in playwright.config.ts. */
export const ORDER_TTL_MS = 25_000;

/** A label made unique to this run: for titles and emails. */
export function unique(label: string): string {
  return `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

export function uniqueEmail(label: string): string {
  return `e2e-${unique(label)}@example.com`;
}

/** Signs up a new user through the API; `page.request` shares the page's cookies, so the page is signed in. */
export async function signUp(page: Page, label: string): Promise<string> {
  const email = uniqueEmail(label);
  const response = await page.request.post('/api/users/signup', { data: { email, password: PASSWORD } });
  expect(response.status()).toBe(201);
  return email;
}

/** A fresh browser context (its own cookies) with a newly signed-up user. */
export async function signedUp(browser: Browser, baseURL: string | undefined, label: string): Promise<Page> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  await signUp(page, label);
  return page;
}

/** Lists a ticket through the API as `seller`; returns its id. */
export async function listTicket(seller: Page, title: string, price: number): Promise<string> {
  const response = await seller.request.post('/api/tickets', { data: { title, price } });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Every ticket id GET /api/tickets lists, following the cursor to the end. */
export async function listedIds(request: APIRequestContext): Promise<string[]> {
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

/** On the /tickets page: clicks "Load more" until the ticket's card shows (other tests may have listed newer ones). */
export async function findListedCard(page: Page, title: string): Promise<Locator> {
  await expect(page.getByRole('heading', { level: 1, name: 'Tickets for sale' })).toBeVisible();
  const card = page.getByRole('link', { name: title });
  const more = page.getByRole('button', { name: 'Load more' });
  for (let pages = 0; pages < 50 && !(await card.isVisible()); pages++) {
    if (!(await more.isVisible())) break;
    await more.click();
    await expect(more).toBeEnabled();
  }
  await expect(card).toBeVisible();
  return card;
}

/** Opens the ticket as the buyer, clicks Purchase and waits for the order page; returns its path. */
export async function purchase(buyer: Page, ticketId: string, title: string): Promise<string> {
  await buyer.goto(`/tickets/${ticketId}`);
  await expect(buyer.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await buyer.getByRole('button', { name: 'Purchase' }).click();
  await expect(buyer).toHaveURL(/\/orders\/[^/]+$/);
  return new URL(buyer.url()).pathname;
}

/** A fresh browser context of the given size, with a newly signed-up user whose email has `label` in it. */
export async function signedUpOn(
  browser: Browser,
  baseURL: string | undefined,
  viewport: { width: number; height: number },
  label: string,
): Promise<{ page: Page; email: string }> {
  const context = await browser.newContext({ ...(baseURL ? { baseURL } : {}), viewport });
  const page = await context.newPage();
  const email = await signUp(page, label);
  return { page, email };
}

/** Reserves the ticket through the API as `buyer`; returns the order's id. */
export async function reserveTicket(buyer: Page, ticketId: string): Promise<string> {
  const response = await buyer.request.post('/api/orders', {
    data: { ticketId },
    headers: { 'Idempotency-Key': crypto.randomUUID() },
  });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** The phone size the layout and accessibility tests use (an iPhone 12 to 15, in CSS pixels). */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** The payments service learns about a new order from an event, and the page waits for it (up to ~8 s). */
export const CARD_FORM_TIMEOUT = 12_000;
