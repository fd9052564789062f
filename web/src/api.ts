// JSON over same-origin fetch. Every failure, whether the server refused the
// request, answered something unreadable or could not be reached, comes out as
// an ApiError, so callers only ever have one kind of error to show.

import type { ErrorItem } from './api-types';

/** One entry of the server's `{"errors":[...]}` body; `field` names the input it is about. */
export type ApiErrorItem = ErrorItem;

export const GENERIC_ERROR_MESSAGE = 'Something went wrong';
export const NETWORK_ERROR_MESSAGE = 'Could not reach the server. Check your connection and try again.';

export class ApiError extends Error {
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  readonly errors: readonly ApiErrorItem[];

  constructor(status: number, errors: readonly ApiErrorItem[]) {
    super(errors.map((error) => error.message).join('; ') || GENERIC_ERROR_MESSAGE);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
  }
}

/** Reads the error list out of a parsed body, or returns null if it is not in the agreed shape. */
export function parseErrorBody(body: unknown): ApiErrorItem[] | null {
  if (typeof body !== 'object' || body === null) return null;
  const errors: unknown = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return null;

  const items: ApiErrorItem[] = [];
  for (const entry of errors) {
    if (typeof entry !== 'object' || entry === null) return null;
    const { message, field, code } = entry as { message?: unknown; field?: unknown; code?: unknown };
    if (typeof message !== 'string' || message.trim() === '') return null;
    const item: ApiErrorItem = { message };
    if (typeof field === 'string' && field !== '') item.field = field;
    if (code === 'order_paid') item.code = code;
    items.push(item);
  }
  return items;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  /** Extra request headers, e.g. an `Idempotency-Key`. */
  headers?: Record<string, string>;
}

export async function apiRequest<T>(method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...options.headers, Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, [{ message: NETWORK_ERROR_MESSAGE }]);
  }

  const text = await readText(response);
  const parsed = parseJson(text);

  if (!response.ok) {
    const errors = parsed.ok ? parseErrorBody(parsed.value) : null;
    throw new ApiError(response.status, errors ?? [{ message: GENERIC_ERROR_MESSAGE }]);
  }
  if (text === '') return undefined as T;
  if (!parsed.ok) throw new ApiError(response.status, [{ message: GENERIC_ERROR_MESSAGE }]);
  return parsed.value as T;
}

async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    // The connection dropped while the body was streaming.
    throw new ApiError(0, [{ message: NETWORK_ERROR_MESSAGE }]);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export const api = {
  get: <T>(path: string) => apiRequest<T>('GET', path),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => apiRequest<T>('POST', path, body, options),
  put: <T>(path: string, body?: unknown) => apiRequest<T>('PUT', path, body),
  delete: <T>(path: string) => apiRequest<T>('DELETE', path),
};

/** Turns anything thrown into a list that can be shown to the user. */
export function errorsFrom(error: unknown): readonly ApiErrorItem[] {
  if (error instanceof ApiError) return error.errors;
  return [{ message: GENERIC_ERROR_MESSAGE }];
}
