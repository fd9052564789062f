import { renderNotice } from '../components/notice';
import { h, link } from '../dom';
import type { PageResult, RouteContext } from '../router';

export function notFoundPage({ path }: RouteContext): PageResult {
  return {
    title: 'Page not found',
    content: renderNotice({
      eyebrow: '404',
      heading: 'Page not found',
      body: [
        'There is nothing at ',
        h('code', { className: 'rounded bg-slate-100 px-1.5 py-0.5 text-sm text-slate-800' }, [path]),
        '. It may have moved, or the link may be mistyped.',
      ],
      actions: [link('/', 'Back to home', 'btn btn-primary')],
    }),
  };
}
