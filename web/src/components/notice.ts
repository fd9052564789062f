// A centred message that stands in for a page's content: not found, nothing
// here yet, could not load. The heading is the page's h1.

import { type Child, h } from '../dom';

export interface NoticeOptions {
  /** A short line above the heading, e.g. "404". */
  eyebrow?: string;
  heading: string;
  body: Child[];
  actions?: Child[];
  /** Extra classes for the section, e.g. to fit inside a page instead of replacing it. */
  className?: string;
}

export function renderNotice(options: NoticeOptions): HTMLElement {
  return h('section', { className: options.className ?? 'mx-auto max-w-xl px-4 py-24 text-center' }, [
    options.eyebrow ? h('p', { className: 'text-sm font-semibold text-indigo-600' }, [options.eyebrow]) : null,
    h('h1', { className: 'mt-2 text-3xl font-semibold tracking-tight text-slate-900' }, [options.heading]),
    h('p', { className: 'mt-4 text-slate-600' }, options.body),
    options.actions?.length ? h('div', { className: 'mt-8 flex flex-wrap justify-center gap-3' }, options.actions) : null,
  ]);
}
