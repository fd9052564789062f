import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onLeave } from './dom';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('onLeave', () => {
  it('calls back once, at the first check after the element has left the page', async () => {
    const element = document.createElement('section');
    document.body.append(element);
    const callback = vi.fn();
    onLeave(element, callback, 1000);

    await vi.advanceTimersByTimeAsync(5000);
    expect(callback).not.toHaveBeenCalled();

    element.remove();
    await vi.advanceTimersByTimeAsync(1000);
    expect(callback).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for an element that is not on the page yet', async () => {
    const element = document.createElement('section');
    const callback = vi.fn();
    onLeave(element, callback, 1000);

    await vi.advanceTimersByTimeAsync(3000);
    document.body.append(element);
    await vi.advanceTimersByTimeAsync(3000);
    expect(callback).not.toHaveBeenCalled();
  });

  it('stops watching when asked, without calling back', async () => {
    const element = document.createElement('section');
    document.body.append(element);
    const callback = vi.fn();
    const stop = onLeave(element, callback, 1000);

    stop();
    element.remove();
    await vi.advanceTimersByTimeAsync(5000);
    expect(callback).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
