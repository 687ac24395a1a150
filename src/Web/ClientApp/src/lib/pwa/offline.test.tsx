/** @vitest-environment jsdom */
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { OfflineBanner } from './OfflineBanner';
import { OfflineStore } from './offline';

describe('OfflineStore', () => {
  it('is offline with the oldest kept figure until a fresh answer arrives', () => {
    const store = new OfflineStore();
    store.sawResponse('2026-12-06T14:05:00Z');
    store.sawResponse('2026-12-06T14:09:00Z');
    expect(store.get()).toEqual({ offline: true, figuresAsOf: new Date('2026-12-06T14:05:00Z') });
    store.sawResponse(null);
    expect(store.get()).toEqual({ offline: false, figuresAsOf: null });
  });

  it('follows the browser when the network goes and comes back', () => {
    const store = new OfflineStore();
    store.sawNetwork(true);
    expect(store.get().offline).toBe(true);
    store.sawNetwork(false);
    expect(store.get().offline).toBe(false);
  });
});

describe('OfflineBanner', () => {
  it('shows the time of the kept figures only while offline', () => {
    const store = new OfflineStore();
    const savedAt = new Date(2026, 11, 6, 14, 5);
    render(<OfflineBanner store={store} now={() => new Date(2026, 11, 6, 15, 0)} locale="en-GB" />);
    expect(screen.queryByTestId('offline-banner')).toBeNull();
    act(() => store.sawResponse(savedAt.toISOString()));
    expect(screen.getByTestId('offline-banner').textContent).toMatch(/^Offline — figures as of 14:05$/);
    act(() => store.sawResponse(null));
    expect(screen.queryByTestId('offline-banner')).toBeNull();
  });
});
