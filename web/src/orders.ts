// The orders API, and the arithmetic of an order's reservation window. The
// time left is always worked out from the server's expiresAt against the clock,
// never counted down locally, so a sleeping tab or a slow timer can't drift.

import { api } from './api';
import type { Order, OrderInput, OrderList, OrderStatus } from './api-types';

// The shapes come from the API contract (docs/openapi.yaml, through api-types.ts).
export type { Order, OrderStatus };

export function orderPath(id: string): string {
  return `/orders/${encodeURIComponent(id)}`;
}

/** Where the buyer pays for the order by card. */
export function orderPaymentPath(id: string): string {
  return `${orderPath(id)}/payment`;
}

function apiPath(id: string): string {
  return `/api${orderPath(id)}`;
}

/**
 * A fresh key for one purchase attempt. The same key goes with every retry of
 * that attempt, so a request whose answer was lost can't reserve twice.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID only exists in secure contexts (https, localhost); a version 4 UUID by hand otherwise.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Reserves the ticket; 409 if someone else holds it. */
export function createOrder(ticketId: string, idempotencyKey: string): Promise<Order> {
  const input: OrderInput = { ticketId };
  return api.post<Order>('/api/orders', input, { headers: { 'Idempotency-Key': idempotencyKey } });
}

/** The signed-in user's orders, newest first. */
export async function listOrders(): Promise<Order[]> {
  const body = await api.get<Partial<OrderList> | undefined>('/api/orders');
  return [...(body?.orders ?? [])].sort((a, b) => timestamp(b.createdAt) - timestamp(a.createdAt));
}

export function getOrder(id: string): Promise<Order> {
  return api.get<Order>(apiPath(id));
}

/** Cancelling an order that is already cancelled succeeds too; a complete one is a 409. */
export async function cancelOrder(id: string): Promise<void> {
  await api.delete<void>(apiPath(id));
}

function timestamp(iso: string): number {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? 0 : time;
}

/** Milliseconds until the reservation lapses (0 once it has, or if expiresAt can't be read), as of `now`. */
export function msLeft(order: Pick<Order, 'expiresAt'>, now: number = Date.now()): number {
  const expires = Date.parse(order.expiresAt);
  if (Number.isNaN(expires)) return 0;
  return Math.max(0, expires - now);
}

/**
 * "mm:ss", rounding partial seconds up so that "00:00" is only ever shown once
 * the time is really up: 899_001 ms → "15:00", 59_000 → "00:59", 0 → "00:00".
 */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${String(minutes).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}
