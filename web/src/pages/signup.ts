import { renderCredentialsForm } from '../components/credentials-form';
import { type PageResult, type RouteContext, nextPath, withNext } from '../router';
import { getCurrentUser, signUp } from '../session';

export function signupPage({ navigate, query }: RouteContext): PageResult {
  const next = nextPath(query, window.location.origin);
  if (getCurrentUser()) return { redirect: next };
  return {
    title: 'Sign up',
    content: renderCredentialsForm({
      id: 'signup',
      heading: 'Create your account',
      intro: 'Sell tickets you can no longer use, or grab a seat someone else is letting go.',
      submitLabel: 'Sign up',
      passwordAutocomplete: 'new-password',
      passwordHint: 'Between 8 and 128 characters.',
      switchPrompt: 'Already have an account?',
      switchLink: { href: withNext('/signin', next), text: 'Sign in' },
      async submit(credentials) {
        await signUp(credentials);
        await navigate(next);
      },
    }),
  };
}
