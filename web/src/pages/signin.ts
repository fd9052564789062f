import { renderCredentialsForm } from '../components/credentials-form';
import type { PageResult, RouteContext } from '../router';
import { getCurrentUser, signIn } from '../session';

export function signinPage({ navigate }: RouteContext): PageResult {
  if (getCurrentUser()) return { redirect: '/' };
  return {
    title: 'Sign in',
    content: renderCredentialsForm({
      id: 'signin',
      heading: 'Sign in',
      intro: 'Welcome back. Sign in to manage your tickets and orders.',
      submitLabel: 'Sign in',
      passwordAutocomplete: 'current-password',
      switchPrompt: 'New to Ticketing?',
      switchLink: { href: '/signup', text: 'Create an account' },
      async submit(credentials) {
        await signIn(credentials);
        await navigate('/');
      },
    }),
  };
}
