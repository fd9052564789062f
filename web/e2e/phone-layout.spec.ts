import { type Page, expect, test } from '@playwright/test';
import { CARD_FORM_TIMEOUT, PHONE, findListedCard, listTicket, reserveTicket, signUp, unique } from './support';

// On a 390 px phone, a long title and a long email wrap between words and never
// push anything off the side of the screen.

/** Ordinary words in the title: each must stay on one line wherever the title is shown. */
const WORDS = ['Radiohead', 'Philharmonic', 'Orchestra', 'Amphitheatre', 'Saturday'];
const longTitle = () =>
  `Radiohead with the London Philharmonic Orchestra, Hollywood Amphitheatre, Saturday 14 June ${unique('wrap')}`;

/** Elements whose box reaches past the right edge of the viewport, or a page wider than it. */
async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const problems: string[] = [];
    if (document.documentElement.scrollWidth > width) problems.push(`page is ${document.documentElement.scrollWidth}px wide`);
    for (const element of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 0.5) continue;
      const text = (element.textContent ?? '').trim().slice(0, 40);
      problems.push(`<${element.tagName.toLowerCase()} class="${element.className}"> "${text}" ends at ${Math.round(box.right)}px`);
    }
    return problems;
  });
}

/** The words, among `words`, that the browser has split across two lines anywhere on the page. */
async function splitWords(page: Page, words: string[]): Promise<string[]> {
  return page.evaluate((wanted) => {
    const split: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      for (const word of wanted) {
        for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + word.length);
          const lines = new Set(Array.from(range.getClientRects()).map((rect) => Math.round(rect.top)));
          if (lines.size > 1) split.push(`${word} in <${node.parentElement?.tagName.toLowerCase()}>`);
        }
      }
    }
    return split;
  }, words);
}

async function expectFitsThePhone(page: Page, where: string): Promise<void> {
  expect(await horizontalOverflow(page), `overflow on ${where}`).toEqual([]);
  expect(await splitWords(page, WORDS), `words split on ${where}`).toEqual([]);
}

test('a long title and a long email wrap between words and fit a 390 px phone on every page that shows them', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(60_000);
  const context = await browser.newContext({ ...(baseURL ? { baseURL } : {}), viewport: PHONE });
  const page = await context.newPage();
  // The buyer's long email is in the header of every page below.
  const email = `e2e-a-long-email-name-${unique('wrap')}@customer-accounts.example-company.com`;
  const signup = await page.request.post('/api/users/signup', { data: { email, password: 'correct-horse-42' } });
  expect(signup.status()).toBe(201);

  const sellerContext = await browser.newContext(baseURL ? { baseURL } : {});
  const seller = await sellerContext.newPage();
  await signUp(seller, 'wrap-seller');
  const title = longTitle();
  const ticketId = await listTicket(seller, title, 8500);

  await page.goto('/tickets');
  await findListedCard(page, title);
  await expect(page.getByRole('banner').getByTestId('current-user-email')).toHaveText(email);
  await expect(page.getByRole('banner').getByTestId('current-user-email')).toBeVisible();
  await expectFitsThePhone(page, '/tickets');

  await page.goto(`/tickets/${ticketId}`);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expectFitsThePhone(page, 'the ticket page');

  const orderId = await reserveTicket(page, ticketId);
  await page.goto(`/orders/${orderId}`);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId('order-status')).toHaveText('Awaiting payment');
  await expectFitsThePhone(page, 'the order page');

  await page.goto('/orders');
  await expect(page.getByRole('list', { name: 'My orders' }).getByText(title)).toBeVisible();
  await expectFitsThePhone(page, '/orders');

  await page.goto(`/orders/${orderId}/payment`);
  await expect(page.getByTestId('payment-ticket')).toHaveText(title);
  await expect(page.getByRole('button', { name: 'Pay $85.00' })).toBeEnabled({ timeout: CARD_FORM_TIMEOUT });
  await expectFitsThePhone(page, 'the payment page');

  await context.close();
  await sellerContext.close();
});
