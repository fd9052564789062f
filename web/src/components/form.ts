// Form building blocks and the submit cycle every form shares: clear the old
// errors, disable the submit button while the request runs, then show what the
// server said: an error naming a field goes under that input, anything else
// goes in the alert at the top of the form. Checks made before the request
// (FormErrors) are shown the same way.

import { type ApiErrorItem, errorsFrom } from '../api';
import { h } from '../dom';

export type FormValues = Record<string, string>;

export interface FieldOptions {
  /** Becomes the input's `name` and the key the server's `field` refers to. */
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'number';
  autocomplete?: string;
  hint?: string;
  required?: boolean;
  /** The starting value, e.g. when editing something that exists. */
  value?: string;
  /** The on-screen keyboard to offer, e.g. `decimal` for a price typed as text. */
  inputMode?: 'text' | 'decimal' | 'numeric' | 'email';
  placeholder?: string;
  /** Prefix for element ids, so two forms on one page don't collide. */
  idPrefix: string;
}

/**
 * Thrown by a submit callback when it refuses the input before asking the
 * server; its errors are placed exactly as the server's would be.
 */
export class FormErrors extends Error {
  readonly errors: readonly ApiErrorItem[];

  constructor(errors: readonly ApiErrorItem[]) {
    super(errors.map((error) => error.message).join('; '));
    this.name = 'FormErrors';
    this.errors = errors;
  }
}

const FIELD_ERRORS_ATTR = 'data-field-errors';
const FORM_ALERT_ATTR = 'data-form-alert';

export function createField(options: FieldOptions): HTMLDivElement {
  const inputId = `${options.idPrefix}-${options.name}`;
  const hintId = `${inputId}-hint`;
  const input = h('input', {
    className: 'input',
    attrs: {
      id: inputId,
      name: options.name,
      type: options.type ?? 'text',
      autocomplete: options.autocomplete,
      required: options.required ?? true,
      inputmode: options.inputMode,
      placeholder: options.placeholder,
      'aria-describedby': options.hint ? hintId : undefined,
    },
  });
  if (options.value !== undefined) input.value = options.value;
  return h('div', { className: 'field', dataset: { field: options.name } }, [
    h('label', { className: 'label', attrs: { for: inputId } }, [options.label]),
    input,
    options.hint ? h('p', { className: 'hint', attrs: { id: hintId } }, [options.hint]) : null,
  ]);
}

export function createSubmitButton(label: string): HTMLButtonElement {
  return h('button', { className: 'btn btn-primary w-full', attrs: { type: 'submit' } }, [label]);
}

/** The (initially hidden) alert for errors that belong to no input; placed first in the form. */
export function createFormAlert(): HTMLDivElement {
  return h('div', { className: 'alert', attrs: { role: 'alert', [FORM_ALERT_ATTR]: true, hidden: true } });
}

/** The form's alert for errors that belong to no input, created if missing. */
export function formAlert(form: HTMLFormElement): HTMLElement {
  let alert = form.querySelector<HTMLElement>(`[${FORM_ALERT_ATTR}]`);
  if (!alert) {
    alert = createFormAlert();
    form.prepend(alert);
  }
  return alert;
}

function controlNamed(form: HTMLFormElement, name: string): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null {
  for (const element of Array.from(form.elements)) {
    if (
      (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) &&
      element.name === name &&
      element.type !== 'hidden'
    ) {
      return element;
    }
  }
  return null;
}

function describedBy(control: Element): string[] {
  return (control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
}

export function clearErrors(form: HTMLFormElement): void {
  const alert = formAlert(form);
  alert.replaceChildren();
  alert.hidden = true;

  for (const container of Array.from(form.querySelectorAll(`[${FIELD_ERRORS_ATTR}]`))) {
    const control = controlNamed(form, container.getAttribute(FIELD_ERRORS_ATTR) ?? '');
    if (control) {
      control.removeAttribute('aria-invalid');
      const rest = describedBy(control).filter((id) => id !== container.id);
      if (rest.length > 0) control.setAttribute('aria-describedby', rest.join(' '));
      else control.removeAttribute('aria-describedby');
    }
    container.remove();
  }
}

export function showErrors(form: HTMLFormElement, errors: readonly ApiErrorItem[]): void {
  clearErrors(form);
  const general: string[] = [];
  const byField = new Map<string, string[]>();

  for (const error of errors) {
    const control = error.field ? controlNamed(form, error.field) : null;
    if (!control || !error.field) {
      general.push(error.message);
      continue;
    }
    byField.set(error.field, [...(byField.get(error.field) ?? []), error.message]);
  }

  let firstInvalid: HTMLElement | null = null;
  for (const [field, messages] of byField) {
    const control = controlNamed(form, field);
    if (!control) continue;
    const containerId = `${control.id || `${form.id}-${field}`}-errors`;
    const container = h(
      'div',
      { className: 'field-errors', attrs: { id: containerId, [FIELD_ERRORS_ATTR]: field } },
      messages.map((message) => h('p', { className: 'field-error' }, [message])),
    );
    control.insertAdjacentElement('afterend', container);
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [...describedBy(control), containerId].join(' '));
    firstInvalid ??= control;
  }

  if (general.length > 0) {
    const alert = formAlert(form);
    alert.replaceChildren(...general.map((message) => h('p', {}, [message])));
    alert.hidden = false;
  }

  firstInvalid?.focus();
}

function formValues(form: HTMLFormElement): FormValues {
  const values: FormValues = {};
  for (const [key, value] of new FormData(form)) {
    if (typeof value === 'string') values[key] = value;
  }
  return values;
}

function setPending(form: HTMLFormElement, pending: boolean): void {
  form.setAttribute('aria-busy', String(pending));
  for (const button of Array.from(form.querySelectorAll<HTMLButtonElement>('button[type="submit"], button:not([type])'))) {
    button.disabled = pending;
  }
}

/**
 * Runs `submit` with the form's values on each submit. A second submit while
 * one is pending is ignored. Whatever `submit` throws is shown on the form.
 */
export function handleSubmit(form: HTMLFormElement, submit: (values: FormValues) => Promise<void>): void {
  let pending = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (pending) return;
    pending = true;
    clearErrors(form);
    setPending(form, true);
    try {
      await submit(formValues(form));
    } catch (error) {
      showErrors(form, error instanceof FormErrors ? error.errors : errorsFrom(error));
    } finally {
      pending = false;
      setPending(form, false);
    }
  });
}
