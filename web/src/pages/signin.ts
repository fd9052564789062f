import { renderCredentialsForm } from '../components/credentials-form';
import { type PageResult, type RouteContext, nextPath, withNext } from '../router';
import { getCurrentUser, signIn } from '../session';

export function signinPage({ navigate, query }: RouteContext): PageResult {
  const next = nextPath(query, window.location.origin);
  if (getCurrentUser()) return { redirect: next };
  return {
    title: 'Sign in',
    content: renderCredentialsForm({
      id: 'signin',
      heading: 'Sign in',
      intro: 'Welcome back. Sign in to manage your tickets and orders.',
      submitLabel: 'Sign in',
      passwordAutocomplete: 'current-password',
      switchPrompt: 'New to Ticketing?',
      switchLink: { href: withNext('/signup', next), text: 'Create an account' },
      async submit(credentials) {
        await signIn(credentials);
        await navigate(next);
      },
    }),
  };
}
