import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { type FormValues, FormErrors, clearErrors, createField, createFormAlert, createSubmitButton, handleSubmit, showErrors } from './form';

let form: HTMLFormElement;

function buildForm(): HTMLFormElement {
  const element = document.createElement('form');
  element.id = 'test';
  element.append(
    createFormAlert(),
    createField({ idPrefix: 'test', name: 'email', label: 'Email', type: 'email', autocomplete: 'email' }),
    createField({ idPrefix: 'test', name: 'password', label: 'Password', type: 'password', hint: '8 to 128 characters' }),
    createSubmitButton('Save'),
  );
  document.body.append(element);
  return element;
}

const input = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]`) as HTMLInputElement;
const fieldBox = (name: string) => form.querySelector<HTMLElement>(`[data-field="${name}"]`) as HTMLElement;
const alertBox = () => form.querySelector<HTMLElement>('[role="alert"]') as HTMLElement;
const submitButton = () => form.querySelector<HTMLButtonElement>('button[type="submit"]') as HTMLButtonElement;

/** The text of the elements an input's aria-describedby points at. */
function description(control: HTMLElement): string {
  return (control.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

beforeEach(() => {
  form = buildForm();
});

afterEach(() => {
  document.body.innerHTML = '';
});

describe('createField', () => {
  it('labels the input and gives it the name the server refers to', () => {
    const email = input('email');
    expect(email.id).toBe('test-email');
    expect(form.querySelector('label[for="test-email"]')?.textContent).toBe('Email');
    expect(email.type).toBe('email');
    expect(email.getAttribute('autocomplete')).toBe('email');
    expect(description(input('password'))).toBe('8 to 128 characters');
  });

  it('sets a starting value, keyboard hint and placeholder when asked', () => {
    const field = createField({ idPrefix: 'x', name: 'price', label: 'Price', value: '25.00', inputMode: 'decimal', placeholder: '0.00' });
    const price = field.querySelector('input') as HTMLInputElement;
    expect(price.value).toBe('25.00');
    expect(price.getAttribute('inputmode')).toBe('decimal');
    expect(price.placeholder).toBe('0.00');
    expect(input('email').hasAttribute('inputmode')).toBe(false);
    expect(input('email').hasAttribute('placeholder')).toBe(false);
  });
});

describe('showErrors', () => {
  it('puts a field error next to the input with that name', () => {
    showErrors(form, [{ message: 'Email must be valid', field: 'email' }]);

    const email = input('email');
    const next = email.nextElementSibling as HTMLElement;
    expect(next.textContent).toBe('Email must be valid');
    expect(fieldBox('email').textContent).toContain('Email must be valid');
    expect(fieldBox('password').textContent).not.toContain('Email must be valid');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(description(email)).toBe('Email must be valid');
    expect(alertBox().hidden).toBe(true);
  });

  it('shows an error without a field, or with an unknown field, in the alert', () => {
    showErrors(form, [
      { message: 'Invalid credentials' },
      { message: 'Price must be positive', field: 'price' },
    ]);

    const alert = alertBox();
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toContain('Invalid credentials');
    expect(alert.textContent).toContain('Price must be positive');
    expect(form.querySelectorAll('.field-error')).toHaveLength(0);
    expect(input('email').hasAttribute('aria-invalid')).toBe(false);
  });

  it('keeps a hint in the description alongside the error', () => {
    showErrors(form, [{ message: 'Password is too short', field: 'password' }]);
    expect(description(input('password'))).toBe('8 to 128 characters Password is too short');
  });

  it('creates the alert when the form has none', () => {
    alertBox().remove();
    showErrors(form, [{ message: 'Something went wrong' }]);
    expect(form.firstElementChild?.getAttribute('role')).toBe('alert');
    expect(alertBox().textContent).toBe('Something went wrong');
  });
});

describe('clearErrors', () => {
  it('removes field errors and the alert, and restores the description', () => {
    showErrors(form, [{ message: 'Too short', field: 'password' }, { message: 'Nope' }]);

    clearErrors(form);

    expect(form.textContent).not.toContain('Too short');
    expect(alertBox().hidden).toBe(true);
    expect(alertBox().textContent).toBe('');
    expect(input('password').hasAttribute('aria-invalid')).toBe(false);
    expect(description(input('password'))).toBe('8 to 128 characters');
  });
});

describe('handleSubmit', () => {
  function submit(): void {
    form.dispatchEvent(new Event('submit', { cancelable: true, bubbles: true }));
  }

  it('passes the values and disables the submit button while pending', async () => {
    let finish: () => void = () => {};
    const onSubmit = vi.fn((_values: FormValues) => new Promise<void>((resolve) => { finish = resolve; }));
    handleSubmit(form, onSubmit);
    input('email').value = 'a@example.com';
    input('password').value = 'secret123';

    submit();

    expect(onSubmit).toHaveBeenCalledWith({ email: 'a@example.com', password: 'secret123' });
    expect(submitButton().disabled).toBe(true);
    submit();
    expect(onSubmit).toHaveBeenCalledTimes(1);

    finish();
    await vi.waitFor(() => expect(submitButton().disabled).toBe(false));
  });

  it('shows what the server said and clears it on the next submit', async () => {
    const onSubmit = vi
      .fn<(values: FormValues) => Promise<void>>()
      .mockRejectedValueOnce(new ApiError(400, [{ message: 'Email must be valid', field: 'email' }]))
      .mockRejectedValueOnce(new ApiError(400, [{ message: 'Invalid credentials' }]));
    handleSubmit(form, onSubmit);

    submit();
    await vi.waitFor(() => expect(fieldBox('email').textContent).toContain('Email must be valid'));
    expect(submitButton().disabled).toBe(false);

    submit();
    await vi.waitFor(() => expect(alertBox().textContent).toBe('Invalid credentials'));
    expect(form.textContent).not.toContain('Email must be valid');
    expect(input('email').hasAttribute('aria-invalid')).toBe(false);
  });

  it('places FormErrors thrown before any request like the server\'s errors', async () => {
    handleSubmit(form, async () => {
      throw new FormErrors([{ message: 'Enter a password', field: 'password' }, { message: 'Check the form' }]);
    });
    submit();
    await vi.waitFor(() => expect(fieldBox('password').textContent).toContain('Enter a password'));
    expect(alertBox().textContent).toBe('Check the form');
    expect(submitButton().disabled).toBe(false);
  });

  it('shows a general message for an unexpected exception', async () => {
    handleSubmit(form, async () => { throw new Error('bug'); });
    submit();
    await vi.waitFor(() => expect(alertBox().textContent).toBe('Something went wrong'));
  });
});
