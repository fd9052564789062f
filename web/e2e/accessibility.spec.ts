import AxeBuilder from '@axe-core/playwright';
import { type Page, expect, test } from '@playwright/test';
import { DESKTOP, PHONE, CARD_FORM_TIMEOUT, listTicket, reserveTicket, signedUpOn, unique } from './support';

// Every page, in the state a real visitor sees it (signed out, a buyer, a seller;
// a real ticket and a real order), scanned with axe-core at desktop and phone
// sizes. Serious and critical violations fail the test; each one is listed with
// the page, the rule and the elements, so the failure says what to fix.

type Violation = { page: string; rule: string; impact: string; help: string; targets: string[] };

async function seriousViolations(page: Page, name: string): Promise<Violation[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      page: name,
      rule: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

/** Opens `path`, waits for its main heading, and scans it. */
async function scan(page: Page, path: string, heading: string | RegExp, found: Violation[]): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  found.push(...(await seriousViolations(page, path)));
}

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
  test(`every page has no serious or critical axe-core violation on a ${size}`, async ({ browser, baseURL }) => {
    test.setTimeout(120_000);
    const found: Violation[] = [];

    const visitor = await (await browser.newContext({ ...(baseURL ? { baseURL } : {}), viewport })).newPage();
    await scan(visitor, '/', /Buy and sell tickets/, found);
    await scan(visitor, '/signin', 'Sign in', found);
    await scan(visitor, '/signup', 'Create your account', found);
    await scan(visitor, '/no-such-page', 'Page not found', found);

    const seller = (await signedUpOn(browser, baseURL, viewport, 'a11y-seller')).page;
    const forSale = await listTicket(seller, `A11y scan ${unique('open')}`, 3100);
    const toReserve = await listTicket(seller, `A11y scan ${unique('reserved')}`, 4500);
    await scan(seller, '/tickets/new', 'Sell a ticket', found);
    await scan(seller, `/tickets/${forSale}/edit`, 'Edit ticket', found);
    await scan(seller, '/account/password', 'Change password', found);

    const buyer = (await signedUpOn(browser, baseURL, viewport, 'a11y-buyer')).page;
    await scan(buyer, '/tickets', 'Tickets for sale', found);
    await scan(buyer, `/tickets/${forSale}`, /A11y scan open/, found);

    // The order lives 25 s on this stack: its pages are scanned straight after it is made.
    const orderId = await reserveTicket(buyer, toReserve);
    await scan(buyer, `/orders/${orderId}`, /A11y scan reserved/, found);
    await expect(buyer.getByRole('timer')).toHaveText(/Time left to pay/);
    await scan(buyer, '/orders', 'My orders', found);
    await buyer.goto(`/orders/${orderId}/payment`);
    await expect(buyer.getByRole('button', { name: 'Pay $45.00' })).toBeEnabled({ timeout: CARD_FORM_TIMEOUT });
    found.push(...(await seriousViolations(buyer, 'payment (card form shown)')));
    // The same ticket from the seller's side while it is reserved.
    await scan(seller, `/tickets/${toReserve}`, /A11y scan reserved/, found);
    // "My listings" before payouts are set up, with the seller's two listings (in whatever state
    // the order is in by now: it lapses after 25 s).
    await scan(seller, '/listings', 'My listings', found);
    await expect(async () => {
      await seller.reload();
      await expect(seller.getByTestId('listing')).toHaveCount(2, { timeout: 2_000 });
    }).toPass({ timeout: 15_000 });
    found.push(...(await seriousViolations(seller, 'my listings (two listings)')));

    expect(found).toEqual([]);

    await visitor.context().close();
    await seller.context().close();
    await buyer.context().close();
  });
}
