import { type Page, expect, test } from '@playwright/test';
import { CARD_FORM_TIMEOUT, listTicket, purchase, signedUp, unique } from './support';

// The whole purchase, card form included, under the Content-Security-Policy CloudFront sends
// (template.yaml, SecurityHeadersPolicy; the local gateway sends the same policy with the
// Stripe stand-in's origin in Stripe's place). The browser reports every blocked script,
// style, frame or connection; none may be blocked, and the policy must really be in force.

declare global {
  interface Window {
    /** Each CSP violation the page reported: directive and blocked URL. */
    cspViolations: string[];
    inlineScriptRan?: boolean;
  }
}

/** Records the page's CSP violations from its first script on. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
    });
  });
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => window.cspViolations);
}

test('the page is sent with the security headers, and the policy is in force', async ({ page }) => {
  await recordViolations(page);
  const response = await page.goto('/tickets');
  const headers = response?.headers() ?? {};
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['strict-transport-security']).toContain('max-age=');
  await expect(page.getByRole('heading', { level: 1, name: 'Tickets for sale' })).toBeVisible();
  expect(await violations(page)).toEqual([]);

  // an injected inline script does not run, and the browser says why
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineScriptRan = true;';
    document.body.appendChild(script);
  });
  await expect.poll(() => violations(page)).toEqual([expect.stringMatching(/^script-src-elem inline$/)]);
  expect(await page.evaluate(() => window.inlineScriptRan ?? false)).toBe(false);
});

test('a whole purchase with the card form breaks no rule of the policy', async ({ browser, baseURL }) => {
  const seller = await signedUp(browser, baseURL, 'csp-seller');
  const title = unique('CSP ticket');
  const ticketId = await listTicket(seller, title, 3100);
  const buyer = await signedUp(browser, baseURL, 'csp-buyer');
  await recordViolations(buyer);

  await purchase(buyer, ticketId, title);
  await buyer.getByRole('main').getByRole('link', { name: 'Pay', exact: true }).click();
  const pay = buyer.getByRole('button', { name: 'Pay $31.00' });
  await expect(pay).toBeEnabled({ timeout: CARD_FORM_TIMEOUT });
  await buyer.getByLabel('Card number').fill('4242 4242 4242 4242');
  await buyer.getByLabel('Expiration date MM / YY').fill('12 / 34');
  await buyer.getByLabel('CVC').fill('123');
  await pay.click();
  await expect(buyer.getByRole('heading', { level: 1, name: 'Payment received' })).toBeVisible();

  expect(await violations(buyer)).toEqual([]);
});
