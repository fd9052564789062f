import { h, link } from '../dom';
import type { PageResult, RouteContext } from '../router';

export function notFoundPage({ path }: RouteContext): PageResult {
  return {
    title: 'Page not found',
    content: h('section', { className: 'mx-auto max-w-xl px-4 py-24 text-center' }, [
      h('p', { className: 'text-sm font-semibold text-indigo-600' }, ['404']),
      h('h1', { className: 'mt-2 text-3xl font-semibold tracking-tight text-slate-900' }, ['Page not found']),
      h('p', { className: 'mt-4 text-slate-600' }, [
        'There is nothing at ',
        h('code', { className: 'rounded bg-slate-100 px-1.5 py-0.5 text-sm text-slate-800' }, [path]),
        '. It may have moved, or the link may be mistyped.',
      ]),
      h('div', { className: 'mt-8' }, [link('/', 'Back to home', 'btn btn-primary')]),
    ]),
  };
}
