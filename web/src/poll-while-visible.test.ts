import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pollWhileVisible } from './poll-while-visible';

let visibility: DocumentVisibilityState = 'visible';

function setVisibility(state: DocumentVisibilityState): void {
  visibility = state;
  document.dispatchEvent(new Event('visibilitychange'));
}

beforeEach(() => {
  vi.useFakeTimers();
  visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
});

afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

function mountedHost(): HTMLElement {
  const host = document.createElement('section');
  document.body.append(host);
  return host;
}

describe('pollWhileVisible', () => {
  it('polls once per interval while the page is visible, not before the first interval', async () => {
    const poll = vi.fn(async () => {});
    pollWhileVisible(mountedHost(), 5000, poll);

    await vi.advanceTimersByTimeAsync(4999);
    expect(poll).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(poll).toHaveBeenCalledTimes(3);
  });

  it('asks nothing while the tab is hidden, and asks at once when it is shown again', async () => {
    const poll = vi.fn(async () => {});
    pollWhileVisible(mountedHost(), 5000, poll);
    await vi.advanceTimersByTimeAsync(5000);
    expect(poll).toHaveBeenCalledTimes(1);

    setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(poll).toHaveBeenCalledTimes(1);

    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(poll).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(poll).toHaveBeenCalledTimes(3);
  });

  it('stops for good once its page has been left, and no longer listens for visibility', async () => {
    const poll = vi.fn(async () => {});
    const host = mountedHost();
    pollWhileVisible(host, 5000, poll);
    await vi.advanceTimersByTimeAsync(5000);
    expect(poll).toHaveBeenCalledTimes(1);

    host.remove();
    await vi.advanceTimersByTimeAsync(60_000);
    setVisibility('hidden');
    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(poll).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops when told to', async () => {
    const poll = vi.fn(async () => {});
    const stop = pollWhileVisible(mountedHost(), 5000, poll);
    stop();
    await vi.advanceTimersByTimeAsync(60_000);
    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(poll).toHaveBeenCalledTimes(0);
  });

  it('carries on after a failed poll, and never runs two polls at once', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    const poll = vi.fn(async () => {
      calls++;
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      running--;
      if (calls === 1) throw new Error('network down');
    });
    pollWhileVisible(mountedHost(), 5000, poll);

    await vi.advanceTimersByTimeAsync(5000);
    setVisibility('hidden');
    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(3000 + 5000 + 3000);

    expect(poll).toHaveBeenCalledTimes(2);
    expect(most).toBe(1);
  });

  it('never polls for a page that left before the first interval, even when the tab is shown again', async () => {
    const poll = vi.fn(async () => {});
    const host = mountedHost();
    pollWhileVisible(host, 5000, poll);

    host.remove();
    setVisibility('hidden');
    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(120_000);

    expect(poll).toHaveBeenCalledTimes(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
