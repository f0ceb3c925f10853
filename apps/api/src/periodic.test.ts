import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runEvery } from './periodic.js';

/** A pass the test finishes by hand. */
function gatedPass() {
  const finishers: (() => void)[] = [];
  const pass = vi.fn(() => new Promise<void>((resolve) => finishers.push(resolve)));
  return { pass, finishNext: () => finishers.shift()?.() };
}

describe('runEvery', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('skips the ticks that come while a pass still runs, then runs again', async () => {
    const { pass, finishNext } = gatedPass();
    const loop = runEvery(1000, pass, () => {});
    await vi.advanceTimersByTimeAsync(3000);
    expect(pass).toHaveBeenCalledTimes(1);
    finishNext();
    await vi.advanceTimersByTimeAsync(1000);
    expect(pass).toHaveBeenCalledTimes(2);
    finishNext();
    await loop.stop();
  });

  it('hands a failed pass to onError and tries again at the next tick', async () => {
    const onError = vi.fn();
    const pass = vi.fn().mockRejectedValueOnce(new Error('database away')).mockResolvedValue(undefined);
    const loop = runEvery(1000, pass, onError);
    await vi.advanceTimersByTimeAsync(2000);
    expect(onError).toHaveBeenCalledExactlyOnceWith(new Error('database away'));
    expect(pass).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('stop waits for the pass in flight and no pass starts after it', async () => {
    const { pass, finishNext } = gatedPass();
    const loop = runEvery(1000, pass, () => {});
    await vi.advanceTimersByTimeAsync(1000);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finishNext();
    await stopping;
    await vi.advanceTimersByTimeAsync(5000);
    expect(pass).toHaveBeenCalledTimes(1);
  });

  it('does not hold the process open', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    const loop = runEvery(
      1000,
      async () => {},
      () => {},
    );
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    spy.mockRestore();
    void loop.stop();
  });
});
