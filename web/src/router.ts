// Client-side routing on the History API. Route paths are patterns such as
// `/tickets/:id`; a click on any same-origin <a> becomes a pushState plus a
// render into the outlet, and unknown paths render the not-found page.

export type RouteParams = Record<string, string>;

export interface NavigateOptions {
  /** Replace the current history entry instead of adding one (used for redirects). */
  replace?: boolean;
}

export type Navigate = (to: string, options?: NavigateOptions) => Promise<void>;

export interface RouteContext {
  path: string;
  params: RouteParams;
  query: URLSearchParams;
  navigate: Navigate;
}

export interface PageView {
  title: string;
  content: Node;
}

export interface Redirect {
  redirect: string;
}

export type PageResult = PageView | Redirect;

export type PageRenderer = (context: RouteContext) => PageResult | Promise<PageResult>;

export interface Route {
  path: string;
  page: PageRenderer;
}

export interface RouteMatch<R extends { path: string }> {
  route: R;
  params: RouteParams;
}

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** Params if `pathname` fits `pattern` (a trailing slash is ignored), otherwise null. */
export function matchPath(pattern: string, pathname: string): RouteParams | null {
  const wanted = segments(pattern);
  const actual = segments(pathname);
  if (wanted.length !== actual.length) return null;

  const params: RouteParams = {};
  for (let i = 0; i < wanted.length; i++) {
    const expected = wanted[i] as string;
    const given = actual[i] as string;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(given);
      } catch {
        return null; // malformed percent-encoding
      }
    } else if (expected !== given) {
      return null;
    }
  }
  return params;
}

/** The first route whose pattern fits, in declaration order. */
export function findRoute<R extends { path: string }>(routes: readonly R[], pathname: string): RouteMatch<R> | null {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}

/** The same-origin path (with query and hash) a click should navigate to, or null to let the browser handle it. */
export function internalHref(event: MouseEvent, origin: string, currentUrl: string): string | null {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;

  const target = event.target;
  if (!(target instanceof Element)) return null;
  const anchor = target.closest('a[href]');
  if (!(anchor instanceof HTMLAnchorElement)) return null;
  if (anchor.target && anchor.target !== '_self') return null;
  if (anchor.hasAttribute('download') || anchor.getAttribute('rel')?.split(/\s+/).includes('external')) return null;

  const url = new URL(anchor.getAttribute('href') as string, currentUrl);
  if (url.origin !== origin) return null;

  // A link to an anchor on this same page is the browser's job (scrolling).
  const current = new URL(currentUrl);
  if (url.hash && url.pathname === current.pathname && url.search === current.search) return null;

  return url.pathname + url.search + url.hash;
}

/**
 * Where to go after a detour such as signing in: the `next` query parameter
 * when it is a path on this site, otherwise `fallback`, so that a crafted link
 * can't send someone to another origin.
 */
export function nextPath(query: URLSearchParams, origin: string, fallback = '/'): string {
  const next = query.get('next');
  if (!next || !next.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  return url.pathname + url.search + url.hash;
}

/** `path` with `next` to return to afterwards, e.g. withNext('/signin', '/tickets/new'); `/` is the default and left out. */
export function withNext(path: string, next: string): string {
  return next === '/' ? path : `${path}?next=${encodeURIComponent(next)}`;
}

export interface RouterOptions {
  routes: readonly Route[];
  notFound: PageRenderer;
  outlet: HTMLElement;
  /** Suffix for document.title, e.g. "Ticketing". */
  siteName: string;
}

export interface Router {
  /** Listens for clicks and back/forward, and renders the current URL. */
  start(): Promise<void>;
  /** Removes the listeners that start() added. */
  stop(): void;
  navigate: Navigate;
}

export function createRouter({ routes, notFound, outlet, siteName }: RouterOptions): Router {
  // Only the newest navigation may write to the page; a slow earlier one is dropped.
  let renderCount = 0;
  let firstRender = true;

  async function render(): Promise<void> {
    const ticket = ++renderCount;
    const { pathname, search } = window.location;
    const match = findRoute(routes, pathname);
    const context: RouteContext = {
      path: pathname,
      params: match?.params ?? {},
      query: new URLSearchParams(search),
      navigate,
    };

    const result = await (match ? match.route.page : notFound)(context);
    if (ticket !== renderCount) return;

    if ('redirect' in result) {
      await navigate(result.redirect, { replace: true });
      return;
    }

    outlet.replaceChildren(result.content);
    document.title = result.title ? `${result.title} · ${siteName}` : siteName;
    if (!firstRender) {
      window.scrollTo(0, 0);
      // Tell assistive technology that the page changed: focus its heading.
      const heading = outlet.querySelector<HTMLElement>('h1');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
    }
    firstRender = false;
  }

  async function navigate(to: string, options: NavigateOptions = {}): Promise<void> {
    const url = new URL(to, window.location.href);
    const target = url.pathname + url.search + url.hash;
    const current = window.location.pathname + window.location.search + window.location.hash;
    if (options.replace) {
      window.history.replaceState(null, '', target);
    } else if (target !== current) {
      window.history.pushState(null, '', target);
    }
    await render();
  }

  function onClick(event: MouseEvent): void {
    const href = internalHref(event, window.location.origin, window.location.href);
    if (href === null) return;
    event.preventDefault();
    void navigate(href);
  }

  function onPopState(): void {
    void render();
  }

  return {
    async start() {
      document.addEventListener('click', onClick);
      window.addEventListener('popstate', onPopState);
      await render();
    },
    stop() {
      document.removeEventListener('click', onClick);
      window.removeEventListener('popstate', onPopState);
    },
    navigate,
  };
}
