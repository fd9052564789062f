import { createField, createFormAlert, createSubmitButton, handleSubmit } from '../components/form';
import { h } from '../dom';
import { type PageResult, type RouteContext, withNext } from '../router';
import { changePassword, getCurrentUser } from '../session';

// Changing the password signs out every other browser; this one stays signed in.
export function changePasswordPage({ path }: RouteContext): PageResult {
  if (!getCurrentUser()) return { redirect: withNext('/signin', path) };

  const done = h('p', { className: 'mb-5 rounded-md bg-green-50 p-3 text-sm text-green-800', attrs: { role: 'status', hidden: true } });
  const form = h('form', { className: 'space-y-5', attrs: { id: 'change-password', novalidate: true } }, [
    createFormAlert(),
    createField({ idPrefix: 'change-password', name: 'currentPassword', label: 'Current password', type: 'password', autocomplete: 'current-password' }),
    createField({
      idPrefix: 'change-password',
      name: 'newPassword',
      label: 'New password',
      type: 'password',
      autocomplete: 'new-password',
      hint: '8 to 128 characters.',
    }),
    createSubmitButton('Change password'),
  ]);

  handleSubmit(form, async (values) => {
    done.hidden = true;
    await changePassword({ currentPassword: values['currentPassword'] ?? '', newPassword: values['newPassword'] ?? '' });
    form.reset();
    done.textContent = 'Password changed. Every other browser is signed out.';
    done.hidden = false;
  });

  return {
    title: 'Change password',
    content: h('section', { className: 'mx-auto w-full max-w-md px-4 py-12 sm:py-20' }, [
      h('div', { className: 'card' }, [
        h('h1', { className: 'text-2xl font-semibold tracking-tight text-slate-900' }, ['Change password']),
        h('p', { className: 'mt-2 mb-8 text-sm text-slate-600' }, ['Every other browser signed in to your account is signed out; this one stays signed in.']),
        done,
        form,
      ]),
    ]),
  };
}
