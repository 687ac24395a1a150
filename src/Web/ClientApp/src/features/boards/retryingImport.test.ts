import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryingImport } from './retryingImport';

afterEach(() => vi.useRealTimers());

describe('retryingImport', () => {
  it('keeps trying after failures, with the given pauses, until the chunk loads', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const load = () => (++calls < 3 ? Promise.reject(new Error('offline')) : Promise.resolve('chunk'));
    let result: string | undefined;
    void retryingImport(load, [100, 500]).then((r) => (result = r));

    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(3);
    expect(result).toBe('chunk');
  });
});
