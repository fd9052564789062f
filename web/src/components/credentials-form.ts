// The email + password card shared by the sign-in and sign-up pages.

import { h, link } from '../dom';
import type { Credentials } from '../session';
import { createField, createFormAlert, createSubmitButton, handleSubmit } from './form';

export interface CredentialsFormOptions {
  id: string;
  heading: string;
  intro: string;
  submitLabel: string;
  /** `new-password` on sign-up so password managers offer to generate one. */
  passwordAutocomplete: 'new-password' | 'current-password';
  passwordHint?: string;
  switchPrompt: string;
  switchLink: { href: string; text: string };
  submit(credentials: Credentials): Promise<void>;
}

export function renderCredentialsForm(options: CredentialsFormOptions): HTMLElement {
  const form = h('form', { className: 'space-y-5', attrs: { id: options.id, novalidate: true } }, [
    // novalidate: the server's messages are the ones shown, in the same place as every other error.
    createFormAlert(),
    createField({ idPrefix: options.id, name: 'email', label: 'Email', type: 'email', autocomplete: 'email' }),
    createField({
      idPrefix: options.id,
      name: 'password',
      label: 'Password',
      type: 'password',
      autocomplete: options.passwordAutocomplete,
      ...(options.passwordHint ? { hint: options.passwordHint } : {}),
    }),
    createSubmitButton(options.submitLabel),
  ]);

  handleSubmit(form, (values) => options.submit({ email: values['email'] ?? '', password: values['password'] ?? '' }));

  return h('section', { className: 'mx-auto w-full max-w-md px-4 py-12 sm:py-20' }, [
    h('div', { className: 'card' }, [
      h('h1', { className: 'text-2xl font-semibold tracking-tight text-slate-900' }, [options.heading]),
      h('p', { className: 'mt-2 mb-8 text-sm text-slate-600' }, [options.intro]),
      form,
    ]),
    h('p', { className: 'mt-6 text-center text-sm text-slate-600' }, [
      `${options.switchPrompt} `,
      link(options.switchLink.href, options.switchLink.text, 'text-link'),
    ]),
  ]);
}
