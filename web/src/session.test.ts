import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { getCurrentUser, loadCurrentUser, onSessionChange, setCurrentUser, signIn, signOut, signUp } from './session';
import { serve } from './test-support';

beforeEach(() => {
  setCurrentUser(null);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

describe('session', () => {
  it('loads the signed-in user', async () => {
    serve({ 'GET /api/users/currentuser': { status: 200, body: { currentUser: { id: 'u1', email: 'a@example.com' } } } });
    await expect(loadCurrentUser()).resolves.toEqual({ id: 'u1', email: 'a@example.com' });
    expect(getCurrentUser()).toEqual({ id: 'u1', email: 'a@example.com' });
  });

  it('is signed out when the server says null or cannot be reached', async () => {
    serve({ 'GET /api/users/currentuser': { status: 200, body: { currentUser: null } } });
    await expect(loadCurrentUser()).resolves.toBeNull();

    setCurrentUser({ id: 'x', email: 'x@example.com' });
    serve({});
    await expect(loadCurrentUser()).resolves.toBeNull();
    expect(getCurrentUser()).toBeNull();
  });

  it('tells listeners about sign up, sign in and sign out', async () => {
    const seen: (string | null)[] = [];
    const stop = onSessionChange((user) => seen.push(user?.email ?? null));
    serve({
      'POST /api/users/signup': { status: 201, body: { id: 'u1', email: 'new@example.com' } },
      'POST /api/users/signin': { status: 200, body: { id: 'u1', email: 'new@example.com' } },
      'POST /api/users/signout': { status: 204 },
    });

    await signUp({ email: 'new@example.com', password: 'secret123' });
    await signOut();
    await signIn({ email: 'new@example.com', password: 'secret123' });
    stop();
    await signOut();

    expect(seen).toEqual(['new@example.com', null, 'new@example.com']);
    expect(getCurrentUser()).toBeNull();
  });

  it('stays signed out when sign in is refused', async () => {
    serve({ 'POST /api/users/signin': { status: 400, body: { errors: [{ message: 'Invalid credentials' }] } } });
    await expect(signIn({ email: 'a@example.com', password: 'wrong' })).rejects.toBeInstanceOf(ApiError);
    expect(getCurrentUser()).toBeNull();
  });
});
