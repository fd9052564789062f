import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type PageResult, type RouteContext, type Router, createRouter, findRoute, internalHref, matchPath, nextPath, withNext } from './router';

describe('matchPath', () => {
  it('matches static paths exactly, ignoring a trailing slash', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/signin', '/signin')).toEqual({});
    expect(matchPath('/signin', '/signin/')).toEqual({});
    expect(matchPath('/signin', '/signup')).toBeNull();
    expect(matchPath('/signin', '/signin/extra')).toBeNull();
    expect(matchPath('/', '/signin')).toBeNull();
  });

  it('captures and decodes named segments', () => {
    expect(matchPath('/tickets/:id', '/tickets/abc-123')).toEqual({ id: 'abc-123' });
    expect(matchPath('/tickets/:id', '/tickets/a%20b')).toEqual({ id: 'a b' });
    expect(matchPath('/tickets/:id', '/tickets')).toBeNull();
    expect(matchPath('/tickets/:id', '/tickets/%E0%A4%A')).toBeNull();
  });
});

describe('findRoute', () => {
  const routes = [
    { path: '/', name: 'home' },
    { path: '/tickets/new', name: 'new-ticket' },
    { path: '/tickets/:id', name: 'ticket' },
  ];

  it('returns the first matching route in order', () => {
    expect(findRoute(routes, '/tickets/new')?.route.name).toBe('new-ticket');
    expect(findRoute(routes, '/tickets/42')).toEqual({ route: routes[2], params: { id: '42' } });
  });

  it('returns null for an unknown path', () => {
    expect(findRoute(routes, '/nope')).toBeNull();
  });
});

describe('internalHref', () => {
  const origin = 'http://app.test';
  const here = 'http://app.test/signin';

  function clickOn(html: string, init: MouseEventInit = {}): MouseEvent {
    document.body.innerHTML = html;
    const target = document.querySelector('[data-target]') as Element;
    const event = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ...init });
    Object.defineProperty(event, 'target', { value: target });
    return event;
  }

  it('takes a same-origin link, also from a click on its child', () => {
    expect(internalHref(clickOn('<a href="/signup?x=1" data-target>Sign up</a>'), origin, here)).toBe('/signup?x=1');
    expect(internalHref(clickOn('<a href="/"><span data-target>Home</span></a>'), origin, here)).toBe('/');
  });

  it('leaves other clicks to the browser', () => {
    expect(internalHref(clickOn('<a href="https://elsewhere.test/" data-target>x</a>'), origin, here)).toBeNull();
    expect(internalHref(clickOn('<a href="/a" target="_blank" data-target>x</a>'), origin, here)).toBeNull();
    expect(internalHref(clickOn('<a href="/a" download data-target>x</a>'), origin, here)).toBeNull();
    expect(internalHref(clickOn('<a href="/a" data-target>x</a>', { ctrlKey: true }), origin, here)).toBeNull();
    expect(internalHref(clickOn('<a href="/a" data-target>x</a>', { button: 1 }), origin, here)).toBeNull();
    expect(internalHref(clickOn('<a href="#top" data-target>x</a>'), origin, here)).toBeNull();
    expect(internalHref(clickOn('<button data-target>x</button>'), origin, here)).toBeNull();
  });
});

describe('nextPath', () => {
  const origin = 'http://app.test';
  const next = (value: string) => nextPath(new URLSearchParams({ next: value }), origin);

  it('returns a path on this site, with its query and hash', () => {
    expect(next('/tickets/new')).toBe('/tickets/new');
    expect(next('/tickets/a%20b?x=1#top')).toBe('/tickets/a%20b?x=1#top');
  });

  it('falls back for anything that could leave the site', () => {
    expect(nextPath(new URLSearchParams(), origin)).toBe('/');
    expect(next('')).toBe('/');
    expect(next('https://evil.test/')).toBe('/');
    expect(next('//evil.test/x')).toBe('/');
    expect(next('/\\evil.test/x')).toBe('/');
    expect(next('javascript:alert(1)')).toBe('/');
    expect(nextPath(new URLSearchParams({ next: 'tickets' }), origin, '/home')).toBe('/home');
  });
});

describe('withNext', () => {
  it('adds an encoded next, except for the default', () => {
    expect(withNext('/signin', '/tickets/t1/edit')).toBe('/signin?next=%2Ftickets%2Ft1%2Fedit');
    expect(withNext('/signin', '/')).toBe('/signin');
  });
});

describe('createRouter', () => {
  let outlet: HTMLElement;
  let router: Router | undefined;

  function page(title: string, text: string) {
    return (): PageResult => {
      const content = document.createElement('div');
      content.innerHTML = `<h1>${text}</h1>`;
      return { title, content };
    };
  }

  beforeEach(() => {
    document.body.innerHTML = '<main id="outlet"></main><a id="to-b" href="/b">B</a><a id="to-missing" href="/missing">?</a>';
    outlet = document.getElementById('outlet') as HTMLElement;
    window.history.replaceState(null, '', '/');
  });

  afterEach(() => {
    router?.stop();
    router = undefined;
    document.body.innerHTML = '';
  });

  function start(extraRoutes: { path: string; page: (ctx: RouteContext) => PageResult }[] = []) {
    router = createRouter({
      routes: [{ path: '/', page: page('Home', 'home page') }, { path: '/b', page: page('B', 'page b') }, ...extraRoutes],
      notFound: page('Not found', 'not found'),
      outlet,
      siteName: 'Site',
    });
    return router;
  }

  it('renders the page for the current URL and sets the title', async () => {
    await start().start();
    expect(outlet.textContent).toBe('home page');
    expect(document.title).toBe('Home · Site');
  });

  it('turns a link click into pushState and a render without reloading', async () => {
    const router = start();
    await router.start();
    const before = window.history.length;

    const click = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 });
    document.getElementById('to-b')?.dispatchEvent(click);

    expect(click.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(outlet.textContent).toBe('page b'));
    expect(window.location.pathname).toBe('/b');
    expect(window.history.length).toBe(before + 1);
  });

  it('renders the not-found page for an unknown path, also when reached by a link', async () => {
    const router = start();
    await router.start();
    document.getElementById('to-missing')?.click();
    await vi.waitFor(() => expect(outlet.textContent).toBe('not found'));
    expect(window.location.pathname).toBe('/missing');
    expect(outlet.textContent).toBe('not found');
    expect(document.title).toBe('Not found · Site');
  });

  it('follows a redirect by replacing the history entry', async () => {
    const router = start([{ path: '/guarded', page: () => ({ redirect: '/b' }) }]);
    await router.start();
    const before = window.history.length;

    await router.navigate('/guarded');

    expect(window.location.pathname).toBe('/b');
    expect(outlet.textContent).toBe('page b');
    expect(window.history.length).toBe(before + 1);
  });

  it('renders the previous page again on back (popstate)', async () => {
    const router = start();
    await router.start();
    await router.navigate('/b');

    window.history.back();

    await vi.waitFor(() => expect(outlet.textContent).toBe('home page'));
    expect(window.location.pathname).toBe('/');
  });

  it('passes route params to the page', async () => {
    let seen: RouteContext | undefined;
    const router = start([{ path: '/tickets/:id', page: (ctx) => { seen = ctx; return page('T', 'ticket')(); } }]);
    await router.start();
    await router.navigate('/tickets/abc?view=full');
    expect(seen?.params).toEqual({ id: 'abc' });
    expect(seen?.query.get('view')).toBe('full');
  });
});
