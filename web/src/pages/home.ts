import { h, link } from '../dom';
import type { PageResult } from '../router';
import { getCurrentUser } from '../session';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A 24×24 stroked outline icon drawn from path data. */
function icon(paths: string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.75');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'size-5');
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

const TICKET_ICON = ['M3 8h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4z', 'M14 8v10'];
const CLOCK_ICON = ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M12 7v5l3 2'];
const SHIELD_ICON = ['M12 3l7 3v5c0 4.4-2.9 8.1-7 10c-4.1-1.9-7-5.6-7-10V6z', 'M9 12l2 2l4-4'];

const FEATURES = [
  {
    icon: TICKET_ICON,
    title: 'List in a minute',
    text: 'Give your ticket a title and a price. It is on sale as soon as you save it.',
  },
  {
    icon: CLOCK_ICON,
    title: 'Held while you pay',
    text: 'Reserving a ticket keeps it yours alone for 15 minutes, so nobody can buy it out from under you.',
  },
  {
    icon: SHIELD_ICON,
    title: 'Safe card payments',
    text: 'Pay by card. If a reservation ran out before your payment arrived, the money goes straight back.',
  },
];

function heroActions(): HTMLElement {
  const signedIn = getCurrentUser() !== null;
  return h('div', { className: 'mt-10 flex flex-wrap items-center gap-3' }, [
    signedIn
      ? link('/tickets', 'Browse tickets', 'btn btn-primary btn-lg')
      : link('/signup', 'Create an account', 'btn btn-primary btn-lg'),
    signedIn
      ? link('/tickets/new', 'Sell a ticket', 'btn btn-secondary btn-lg')
      : link('/tickets', 'Browse tickets', 'btn btn-secondary btn-lg'),
  ]);
}

/** A decorative example of a reserved ticket, to show what the product does at a glance. */
function ticketPreview(): HTMLElement {
  return h('div', { className: 'relative hidden lg:block', attrs: { 'aria-hidden': 'true' } }, [
    h('div', { className: 'absolute -inset-6 rounded-3xl bg-gradient-to-br from-indigo-200/60 via-sky-100/40 to-transparent blur-2xl' }),
    h('div', { className: 'relative rotate-2 rounded-2xl border border-slate-200 bg-white p-6 shadow-xl shadow-indigo-900/10' }, [
      h('div', { className: 'flex items-start justify-between gap-4' }, [
        h('div', {}, [
          h('p', { className: 'text-xs font-medium uppercase tracking-wider text-slate-500' }, ['Sat, 14 June · 20:00']),
          h('p', { className: 'mt-1 text-lg font-semibold text-slate-900' }, ['The Midnight Orchestra']),
          h('p', { className: 'text-sm text-slate-600' }, ['Row F, seat 12']),
        ]),
        h('span', { className: 'badge-reserved' }, ['Reserved']),
      ]),
      h('div', { className: 'my-5 border-t border-dashed border-slate-300' }),
      h('div', { className: 'flex items-end justify-between' }, [
        h('div', {}, [
          h('p', { className: 'text-xs text-slate-500' }, ['Price']),
          h('p', { className: 'text-2xl font-semibold text-slate-900' }, ['$85.00']),
        ]),
        h('div', { className: 'text-right' }, [
          h('p', { className: 'text-xs text-slate-500' }, ['Time left to pay']),
          h('p', { className: 'font-mono text-2xl font-semibold text-indigo-600' }, ['14:52']),
        ]),
      ]),
    ]),
  ]);
}

export function homePage(): PageResult {
  const hero = h('section', { className: 'relative overflow-hidden border-b border-slate-200 bg-white' }, [
    h('div', { className: 'mx-auto grid max-w-6xl items-center gap-12 px-4 py-20 sm:px-6 lg:grid-cols-[1.2fr_1fr] lg:py-28' }, [
      h('div', {}, [
        h('p', { className: 'eyebrow' }, ['Resale ticket marketplace']),
        h('h1', { className: 'mt-4 text-4xl font-semibold tracking-tight text-slate-900 sm:text-5xl' }, [
          'Buy and sell tickets ',
          h('span', { className: 'text-indigo-600' }, ['safely']),
        ]),
        h('p', { className: 'mt-6 max-w-xl text-lg leading-8 text-slate-600' }, [
          "Can't make the show? List your ticket in a minute. Found one you want? Reserve it, and it is held for you while you pay.",
        ]),
        heroActions(),
      ]),
      ticketPreview(),
    ]),
  ]);

  const features = h('section', { className: 'mx-auto max-w-6xl px-4 py-16 sm:px-6', attrs: { 'aria-labelledby': 'how-it-works' } }, [
    h('h2', { className: 'text-sm font-semibold uppercase tracking-wider text-slate-500', attrs: { id: 'how-it-works' } }, ['How it works']),
    h(
      'ul',
      { className: 'mt-6 grid gap-6 sm:grid-cols-3' },
      FEATURES.map((feature) =>
        h('li', { className: 'card-sm' }, [
          h('span', { className: 'feature-icon' }, [icon(feature.icon)]),
          h('h3', { className: 'mt-4 font-semibold text-slate-900' }, [feature.title]),
          h('p', { className: 'mt-2 text-sm leading-6 text-slate-600' }, [feature.text]),
        ]),
      ),
    ),
  ]);

  return { title: '', content: h('div', {}, [hero, features]) };
}
