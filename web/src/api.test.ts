import { describe, expect, it, vi } from 'vitest';
import { ApiError, GENERIC_ERROR_MESSAGE, NETWORK_ERROR_MESSAGE, api, errorsFrom, parseErrorBody } from './api';

function respondWith(status: number, body: string, contentType = 'application/json') {
  const fetchMock = vi.fn(async (_path: string, _init?: RequestInit) => new Response(status === 204 ? null : body, { status, headers: { 'Content-Type': contentType } }));
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the request to fail');
}

describe('api requests', () => {
  it('sends JSON to the same origin with same-origin credentials', async () => {
    const fetchMock = respondWith(201, '{"id":"u1","email":"a@example.com"}');

    const body = await api.post('/api/users/signup', { email: 'a@example.com', password: 'secret123' });

    expect(body).toEqual({ id: 'u1', email: 'a@example.com' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [path, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(path).toBe('/api/users/signup');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual({ email: 'a@example.com', password: 'secret123' });
  });

  it('sends no body and no content type on a GET', async () => {
    const fetchMock = respondWith(200, '{"currentUser":null}');

    await expect(api.get('/api/users/currentuser')).resolves.toEqual({ currentUser: null });

    const init = fetchMock.mock.calls[0]?.[1] as RequestInit;
    expect(init.method).toBe('GET');
    expect(init.body).toBeUndefined();
    expect((init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('sends extra headers, such as an Idempotency-Key, alongside its own', async () => {
    const fetchMock = respondWith(201, '{}');

    await api.post('/api/orders', { ticketId: 't1' }, { headers: { 'Idempotency-Key': 'k1', Accept: 'text/html' } });

    const headers = (fetchMock.mock.calls[0]?.[1] as RequestInit).headers as Record<string, string>;
    expect(headers).toEqual({ 'Idempotency-Key': 'k1', Accept: 'application/json', 'Content-Type': 'application/json' });
  });

  it('resolves a 204 to undefined', async () => {
    respondWith(204, '');
    await expect(api.post('/api/users/signout')).resolves.toBeUndefined();
  });
});

describe('api errors', () => {
  it('keeps each field error from a 400 body', async () => {
    respondWith(400, JSON.stringify({ errors: [
      { message: 'Email must be valid', field: 'email' },
      { message: 'Password must be between 8 and 128 characters', field: 'password' },
    ] }));

    const error = await caught(api.post('/api/users/signup', {}));

    expect(error.status).toBe(400);
    expect(error.errors).toEqual([
      { message: 'Email must be valid', field: 'email' },
      { message: 'Password must be between 8 and 128 characters', field: 'password' },
    ]);
  });

  it('keeps an error without a field as a general error', async () => {
    respondWith(400, '{"errors":[{"message":"Invalid credentials"}]}');

    const error = await caught(api.post('/api/users/signin', {}));

    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ message: 'Invalid credentials' }]);
    expect(error.errors[0]).not.toHaveProperty('field');
    expect(error.message).toBe('Invalid credentials');
  });

  it('keeps the status of a conflict', async () => {
    respondWith(409, '{"errors":[{"message":"Email in use","field":"email"}]}');
    const error = await caught(api.post('/api/users/signup', {}));
    expect(error.status).toBe(409);
    expect(error.errors).toEqual([{ message: 'Email in use', field: 'email' }]);
  });

  it('turns a non-JSON 500 body into "Something went wrong"', async () => {
    respondWith(500, '<html><body>Internal Server Error</body></html>', 'text/html');

    const error = await caught(api.get('/api/users/currentuser'));

    expect(error.status).toBe(500);
    expect(error.errors).toEqual([{ message: 'Something went wrong' }]);
    expect(GENERIC_ERROR_MESSAGE).toBe('Something went wrong');
  });

  it('turns a JSON error body of another shape into the generic message', async () => {
    respondWith(502, '{"message":"Internal server error"}');
    const error = await caught(api.get('/api/tickets'));
    expect(error.errors).toEqual([{ message: GENERIC_ERROR_MESSAGE }]);
  });

  it('turns a network failure into a general error with status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));

    const error = await caught(api.get('/api/users/currentuser'));

    expect(error.status).toBe(0);
    expect(error.errors).toEqual([{ message: NETWORK_ERROR_MESSAGE }]);
  });

  it('rejects a 200 whose body is not JSON', async () => {
    respondWith(200, 'not json', 'text/plain');
    const error = await caught(api.get('/api/users/currentuser'));
    expect(error.errors).toEqual([{ message: GENERIC_ERROR_MESSAGE }]);
  });
});

describe('parseErrorBody', () => {
  it.each([
    ['null', null],
    ['a string', 'oops'],
    ['no errors key', { error: 'x' }],
    ['an empty list', { errors: [] }],
    ['an entry without a message', { errors: [{ field: 'email' }] }],
    ['a non-string message', { errors: [{ message: 42 }] }],
  ])('rejects %s', (_name, body) => {
    expect(parseErrorBody(body)).toBeNull();
  });

  it('drops an empty or non-string field', () => {
    expect(parseErrorBody({ errors: [{ message: 'a', field: '' }, { message: 'b', field: 7 }] })).toEqual([
      { message: 'a' },
      { message: 'b' },
    ]);
  });

  it('keeps a code the client knows and drops any other', () => {
    expect(
      parseErrorBody({ errors: [{ message: 'paid', code: 'order_paid' }, { message: 'x', field: 'orderId', code: 'something_new' }] }),
    ).toEqual([{ message: 'paid', code: 'order_paid' }, { message: 'x', field: 'orderId' }]);
  });
});

describe('errorsFrom', () => {
  it('gives the list of an ApiError and a generic message for anything else', () => {
    expect(errorsFrom(new ApiError(409, [{ message: 'Email in use', field: 'email' }]))).toEqual([
      { message: 'Email in use', field: 'email' },
    ]);
    expect(errorsFrom(new Error('boom'))).toEqual([{ message: GENERIC_ERROR_MESSAGE }]);
  });
});
