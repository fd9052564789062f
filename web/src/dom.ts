// A tiny element builder. Text is always set as text nodes, never as HTML, so
// values that come from users (an email, a ticket title) can't inject markup.

export type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  className?: string;
  attrs?: Record<string, string | boolean | undefined>;
  dataset?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const [key, value] of Object.entries(options.dataset ?? {})) {
    element.dataset[key] = value;
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** A same-origin link; the router turns clicks on it into client-side navigation. */
export function link(href: string, text: string, className = ''): HTMLAnchorElement {
  return h('a', { className, attrs: { href } }, [text]);
}

/**
 * For timers that keep a page up to date: a check that stays true while
 * `element` is in the document. Pages have no unmount hook, so a timer asks
 * this before each run and stops once the page has been navigated away from
 * (or if it never made it onto the page within `grace` checks, because a newer
 * navigation replaced it first).
 */
export function whileShown(element: Element, grace = 10): () => boolean {
  let seen = false;
  let misses = 0;
  return () => {
    if (element.isConnected) {
      seen = true;
      return true;
    }
    return !seen && ++misses <= grace;
  };
}

/**
 * Calls `callback` once `element` has left the page (as whileShown decides),
 * looking every `intervalMs`: the clean-up hook pages otherwise lack, for
 * things a timer can't stop by itself, such as a card form drawn by Stripe.js.
 * Returns a function that stops watching without calling it.
 */
export function onLeave(element: Element, callback: () => void, intervalMs = 1000): () => void {
  const shown = whileShown(element);
  shown(); // an element already on the page counts as seen, so leaving is noticed at the first check
  let timer: ReturnType<typeof setTimeout> | undefined;
  function check(): void {
    if (shown()) {
      timer = setTimeout(check, intervalMs);
      return;
    }
    callback();
  }
  timer = setTimeout(check, intervalMs);
  return () => clearTimeout(timer);
}
