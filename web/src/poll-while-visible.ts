// Keeping a page up to date by asking the server again, but only while someone
// can see it: a tab in the background (document.visibilityState "hidden") asks
// nothing, and a page that has been navigated away from stops for good.

import { whileShown } from './dom';

/**
 * Calls `poll` every `intervalMs` (counted from the end of the previous call)
 * while the document is visible and `host` is on the page. When the tab is
 * hidden it pauses; when it is shown again it polls at once, since whatever it
 * shows may be stale, and carries on. A failing `poll` is just tried again at
 * the next interval. Returns a function that stops it.
 */
export function pollWhileVisible(host: Element, intervalMs: number, poll: () => Promise<void>): () => void {
  const shown = whileShown(host);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling = false;
  let stopped = false;

  const visible = (): boolean => document.visibilityState === 'visible';

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), intervalMs);
  }

  async function run(): Promise<void> {
    if (stopped) return;
    if (!shown()) {
      stop();
      return;
    }
    // Not on the page yet (or left before it was ever seen there): nothing to keep up to date now.
    if (!host.isConnected) {
      schedule();
      return;
    }
    if (!visible()) return;
    polling = true;
    try {
      await poll();
    } catch {
      // The next interval is the retry.
    } finally {
      polling = false;
    }
    if (!stopped && visible()) schedule();
  }

  function onVisibilityChange(): void {
    clearTimeout(timer);
    if (visible() && !polling) void run();
  }

  function stop(): void {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibilityChange);
  }

  document.addEventListener('visibilitychange', onVisibilityChange);
  schedule();
  return stop;
}
