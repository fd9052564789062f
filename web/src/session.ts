// Who is signed in. The session itself is an HttpOnly cookie that scripts can't
// read, so the server is asked once at boot and the answer is kept here; sign
// in, sign up and sign out update it and tell every subscriber (the header).

import { ApiError, GENERIC_ERROR_MESSAGE, api } from './api';
import type { Credentials, PasswordChange, User } from './api-types';

// The shapes come from the API contract (docs/openapi.yaml, through api-types.ts).
export type { Credentials, PasswordChange };
/** The signed-in user. */
export type CurrentUser = User;

type SessionListener = (user: CurrentUser | null) => void;

let currentUser: CurrentUser | null = null;
const listeners = new Set<SessionListener>();

export function getCurrentUser(): CurrentUser | null {
  return currentUser;
}

export function setCurrentUser(user: CurrentUser | null): void {
  currentUser = user;
  for (const listener of listeners) listener(user);
}

/** Calls `listener` on every change; returns a function that stops it. */
export function onSessionChange(listener: SessionListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function asCurrentUser(value: unknown): CurrentUser | null {
  if (typeof value !== 'object' || value === null) return null;
  const { id, email } = value as { id?: unknown; email?: unknown };
  if ((typeof id !== 'string' && typeof id !== 'number') || typeof email !== 'string') return null;
  return { id: String(id), email };
}

/**
 * Asks the server who the cookie belongs to. If it can't tell (network down,
 * server error) the visitor is treated as signed out rather than blocking the page.
 */
export async function loadCurrentUser(): Promise<CurrentUser | null> {
  let user: CurrentUser | null = null;
  try {
    const body = await api.get<{ currentUser?: unknown }>('/api/users/currentuser');
    user = asCurrentUser(body?.currentUser);
  } catch (error) {
    console.warn('Could not load the current user', error);
  }
  setCurrentUser(user);
  return user;
}

async function authenticate(path: string, credentials: Credentials): Promise<CurrentUser> {
  const body = await api.post<unknown>(path, credentials);
  const user = asCurrentUser(body);
  if (!user) throw new ApiError(500, [{ message: GENERIC_ERROR_MESSAGE }]);
  setCurrentUser(user);
  return user;
}

export function signUp(credentials: Credentials): Promise<CurrentUser> {
  return authenticate('/api/users/signup', credentials);
}

export function signIn(credentials: Credentials): Promise<CurrentUser> {
  return authenticate('/api/users/signin', credentials);
}

export async function signOut(): Promise<void> {
  await api.post<void>('/api/users/signout');
  setCurrentUser(null);
}

/** Changes the password; the server signs out every other session and keeps this one. */
export async function changePassword(change: PasswordChange): Promise<void> {
  await api.post<void>('/api/users/password', change);
}
