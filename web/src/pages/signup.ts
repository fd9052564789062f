import { renderCredentialsForm } from '../components/credentials-form';
import type { PageResult, RouteContext } from '../router';
import { getCurrentUser, signUp } from '../session';

export function signupPage({ navigate }: RouteContext): PageResult {
  if (getCurrentUser()) return { redirect: '/' };
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
      switchLink: { href: '/signin', text: 'Sign in' },
      async submit(credentials) {
        await signUp(credentials);
        await navigate('/');
      },
    }),
  };
}
