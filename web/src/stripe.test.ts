import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StripeConstructor } from './stripe';

const URL = 'https://js.stripe.test/v3/';

// The loader keeps its promise for the life of the page; each test gets a fresh module.
let stripeModule: typeof import('./stripe');
let scripts: HTMLScriptElement[];

beforeEach(async () => {
  vi.resetModules();
  stripeModule = await import('./stripe');
  scripts = [];
  // Keep the tags out of the document, so that the test decides when they load or fail.
  vi.spyOn(document.head, 'appendChild').mockImplementation(<T extends Node>(node: T): T => {
    if (node instanceof HTMLScriptElement) scripts.push(node);
    return node;
  });
});

function defineStripe(): ReturnType<typeof vi.fn<StripeConstructor>> {
  const create = vi.fn<StripeConstructor>(() => ({ elements: vi.fn(), confirmCardPayment: vi.fn() }));
  vi.stubGlobal('Stripe', create);
  return create;
}

describe('stripeFor', () => {
  it('adds the Stripe.js script once, however many times it is asked, and makes a client once it has loaded', async () => {
    const first = stripeModule.stripeFor(URL, 'pk_test_1');
    const second = stripeModule.stripeFor(URL, 'pk_test_1');

    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.src).toBe(URL);
    expect(scripts[0]?.async).toBe(true);

    const create = defineStripe();
    scripts[0]?.dispatchEvent(new Event('load'));

    await expect(first).resolves.toBeDefined();
    await expect(second).resolves.toBeDefined();
    expect(create).toHaveBeenCalledWith('pk_test_1');

    await stripeModule.stripeFor(URL, 'pk_test_1');
    expect(scripts).toHaveLength(1);
  });

  it('adds no script when Stripe.js is already on the page', async () => {
    const create = defineStripe();

    await stripeModule.stripeFor(URL, 'pk_test_2');

    expect(scripts).toHaveLength(0);
    expect(create).toHaveBeenCalledWith('pk_test_2');
  });

  it('fails when the script can’t be loaded, and adds a new one on the next try', async () => {
    const remove = vi.fn();
    const attempt = stripeModule.stripeFor(URL, 'pk_test_1');
    const failed = scripts[0] as HTMLScriptElement;
    failed.remove = remove;
    failed.dispatchEvent(new Event('error'));

    await expect(attempt).rejects.toThrow(URL);
    expect(remove).toHaveBeenCalled();

    const retry = stripeModule.stripeFor(URL, 'pk_test_1');
    expect(scripts).toHaveLength(2);
    defineStripe();
    scripts[1]?.dispatchEvent(new Event('load'));
    await expect(retry).resolves.toBeDefined();
  });

  it('fails when the script loads but defines no Stripe()', async () => {
    const attempt = stripeModule.stripeFor(URL, 'pk_test_1');
    scripts[0]?.dispatchEvent(new Event('load'));
    await expect(attempt).rejects.toThrow('did not define Stripe()');
  });
});
