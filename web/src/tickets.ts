// The tickets API. Prices are integer cents here and on the wire; money.ts
// turns them into dollars for people.

import { api } from './api';
import type { Ticket, TicketInput, TicketPage, TicketUpdate } from './api-types';

// The shapes come from the API contract (docs/openapi.yaml, through api-types.ts).
export type { Ticket, TicketInput, TicketPage, TicketUpdate };

export function ticketPath(id: string): string {
  return `/tickets/${encodeURIComponent(id)}`;
}

function apiPath(id: string): string {
  return `/api${ticketPath(id)}`;
}

/** Available tickets, newest first. */
export async function listTickets(options: { limit?: number; cursor?: string | null } = {}): Promise<TicketPage> {
  const query = new URLSearchParams();
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  if (options.cursor) query.set('cursor', options.cursor);
  const search = query.toString();
  const page = await api.get<Partial<TicketPage> | undefined>(`/api/tickets${search ? `?${search}` : ''}`);
  return { tickets: page?.tickets ?? [], nextCursor: page?.nextCursor ?? null };
}

export function getTicket(id: string): Promise<Ticket> {
  return api.get<Ticket>(apiPath(id));
}

export function createTicket(input: TicketInput): Promise<Ticket> {
  return api.post<Ticket>('/api/tickets', input);
}

/** `version` is the one the user was editing; the server answers 409 if it has moved on. */
export function updateTicket(id: string, input: TicketUpdate & { version: number }): Promise<Ticket> {
  return api.put<Ticket>(apiPath(id), input);
}
