// The title + price form shared by selling and editing a ticket. The price is
// typed in dollars and checked here first (money.ts), so obvious slips are
// caught without a round trip; whatever the server still refuses is shown in
// the same places (its `field` is "title" or "price", the inputs' names).

import type { ApiErrorItem } from '../api';
import { h } from '../dom';
import { centsToDollarInput, parseDollarsToCents } from '../money';
import type { TicketInput } from '../tickets';
import { type FormValues, FormErrors, createField, createFormAlert, createSubmitButton, handleSubmit } from './form';

export const TITLE_REQUIRED_MESSAGE = 'Title is required';

export interface TicketFormOptions {
  id: string;
  submitLabel: string;
  /** The ticket being edited; a new ticket starts empty. */
  initial?: TicketInput;
  /** Elements after the submit button, e.g. a cancel link. */
  footer?: HTMLElement[];
  /** Called with valid input; what it throws is shown on the form. */
  submit(input: TicketInput, form: HTMLFormElement): Promise<void>;
}

/** The input the form's values describe, or FormErrors naming each bad field. */
export function readTicketInput(values: FormValues): TicketInput {
  const errors: ApiErrorItem[] = [];
  const title = (values['title'] ?? '').trim();
  if (title === '') errors.push({ message: TITLE_REQUIRED_MESSAGE, field: 'title' });
  const price = parseDollarsToCents(values['price'] ?? '');
  if (!price.ok) errors.push({ message: price.message, field: 'price' });
  if (errors.length > 0 || !price.ok) throw new FormErrors(errors);
  return { title, price: price.cents };
}

export function renderTicketForm(options: TicketFormOptions): HTMLFormElement {
  const form = h('form', { className: 'space-y-5', attrs: { id: options.id, novalidate: true } }, [
    createFormAlert(),
    createField({
      idPrefix: options.id,
      name: 'title',
      label: 'Title',
      autocomplete: 'off',
      hint: 'What, where and when, e.g. “The Midnight Orchestra, Sat 14 June, row F”.',
      ...(options.initial ? { value: options.initial.title } : {}),
    }),
    createField({
      idPrefix: options.id,
      name: 'price',
      label: 'Price (USD)',
      autocomplete: 'off',
      inputMode: 'decimal',
      placeholder: '25.00',
      hint: 'In dollars and cents, e.g. 25 or 12.50.',
      ...(options.initial ? { value: centsToDollarInput(options.initial.price) } : {}),
    }),
    createSubmitButton(options.submitLabel),
    ...(options.footer ?? []),
  ]);

  handleSubmit(form, (values) => options.submit(readTicketInput(values), form));
  return form;
}

/** The card a ticket form sits in, with its heading and a line of introduction. */
export function renderFormCard(heading: string, intro: string, form: HTMLFormElement, before: HTMLElement[] = []): HTMLElement {
  return h('section', { className: 'mx-auto w-full max-w-lg px-4 py-12 sm:py-16' }, [
    ...before,
    h('div', { className: 'card' }, [
      h('h1', { className: 'text-2xl font-semibold tracking-tight text-slate-900' }, [heading]),
      h('p', { className: 'mt-2 mb-8 text-sm text-slate-600' }, [intro]),
      form,
    ]),
  ]);
}
