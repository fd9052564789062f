import { describe, expect, it, vi } from 'vitest';
import { createOrder, formatTimeLeft, listOrders, msLeft, newIdempotencyKey } from './orders';
import { makeOrder, requestHeaders, requests, serve } from './test-support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('formatTimeLeft', () => {
  it.each([
    [900_000, '15:00'],
    [899_001, '15:00'], // a started second still counts, so 00:00 means the time is really up
    [899_000, '14:59'],
    [61_000, '01:01'],
    [59_000, '00:59'],
    [1, '00:01'],
    [0, '00:00'],
    [-5_000, '00:00'],
    [3_600_000, '60:00'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatTimeLeft(ms)).toBe(text);
  });
});

describe('msLeft', () => {
  it('counts from expiresAt to the given moment, never below zero', () => {
    const order = { expiresAt: '2025-06-01T18:45:00Z' };
    expect(msLeft(order, Date.parse('2025-06-01T18:30:00.500Z'))).toBe(899_500);
    expect(msLeft(order, Date.parse('2025-06-01T18:46:00Z'))).toBe(0);
  });

  it('treats an unreadable expiresAt as expired', () => {
    expect(msLeft({ expiresAt: 'soon' }, 0)).toBe(0);
  });
});

describe('newIdempotencyKey', () => {
  it('makes a new version 4 UUID each time', () => {
    const first = newIdempotencyKey();
    expect(first).toMatch(UUID);
    expect(newIdempotencyKey()).not.toBe(first);
  });

  it('still makes one where crypto.randomUUID is missing (plain http)', () => {
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: (array: Uint8Array<ArrayBuffer>) => real.getRandomValues(array) });
    expect(newIdempotencyKey()).toMatch(UUID);
  });
});

describe('orders API', () => {
  it('creates an order for the ticket with the Idempotency-Key header', async () => {
    const fetchMock = serve({ 'POST /api/orders': { status: 201, body: makeOrder() } });

    await expect(createOrder('t1', 'key-1')).resolves.toEqual(makeOrder());

    expect(requests(fetchMock)).toEqual([{ call: 'POST /api/orders', body: { ticketId: 't1' } }]);
    expect(requestHeaders(fetchMock, 0)).toMatchObject({ 'Idempotency-Key': 'key-1', 'Content-Type': 'application/json' });
  });

  it('lists the orders newest first', async () => {
    serve({
      'GET /api/orders': {
        status: 200,
        body: {
          orders: [
            makeOrder({ id: 'old', createdAt: '2025-06-01T10:00:00Z' }),
            makeOrder({ id: 'new', createdAt: '2025-06-02T10:00:00Z' }),
          ],
        },
      },
    });
    expect((await listOrders()).map((order) => order.id)).toEqual(['new', 'old']);
  });
});
