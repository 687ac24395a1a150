// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kpi } from '../../test/fixtures';
import { Tile } from './Tile';

function preferReducedMotion(reduce: boolean) {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: reduce && query.includes('reduce'),
    media: query,
    addEventListener: () => {},
    removeEventListener: () => {},
  }));
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('Tile', () => {
  it('shows the label, the figure in the store’s currency and the exact raw value', () => {
    render(<Tile id="gross-revenue" label="Gross revenue" kind="money" higherIsBetter tile={kpi(12345.67, 11000)} currency="GBP" />);

    expect(screen.getByRole('heading', { name: 'Gross revenue' })).toBeTruthy();
    const value = screen.getByTestId('tile-gross-revenue-value');
    expect(value.textContent).toBe('£12,345.67');
    expect(value.getAttribute('data-value')).toBe('12345.67');
  });

  it('compares with last week and puts last week’s figure in the tooltip', () => {
    render(<Tile id="gross-revenue" label="Gross revenue" kind="money" higherIsBetter tile={kpi(12345.67, 11000)} currency="GBP" />);

    const delta = screen.getByTestId('tile-gross-revenue-delta');
    expect(delta.textContent).toBe('▲ 12.2% vs last week');
    expect(delta.getAttribute('title')).toBe('Same time last week: £11,000.00');
    expect(delta.className).toContain('tile__delta--good');
  });

  it('colours rising refunds as bad news', () => {
    render(<Tile id="refunds" label="Refunds" kind="money" higherIsBetter={false} tile={kpi(600, 300)} currency="GBP" />);

    const delta = screen.getByTestId('tile-refunds-delta');
    expect(delta.textContent).toBe('▲ 100.0% vs last week');
    expect(delta.className).toContain('tile__delta--bad');
  });

  it('prints counts as whole numbers and says when last week had nothing', () => {
    render(<Tile id="units" label="Units sold" kind="count" higherIsBetter tile={kpi(1042, 0)} currency="GBP" />);

    expect(screen.getByTestId('tile-units-value').textContent).toBe('1,042');
    expect(screen.getByTestId('tile-units-delta').textContent).toBe('— no data last week');
    expect(screen.getByTestId('tile-units-delta').className).toContain('tile__delta--none');
  });

  it('counts up to a new figure over ~600 ms, flashing, while data-value jumps straight to it', () => {
    // Fake frames and clock: the tween is checked at exact instants, so a busy machine cannot make this flaky.
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame', 'performance', 'setTimeout', 'clearTimeout', 'Date'] });
    preferReducedMotion(false);
    const { rerender } = render(<Tile id="orders" label="Orders" kind="count" higherIsBetter tile={kpi(100, 90)} currency="GBP" />);

    act(() => {
      rerender(<Tile id="orders" label="Orders" kind="count" higherIsBetter tile={kpi(200, 90)} currency="GBP" />);
    });
    const value = screen.getByTestId('tile-orders-value');
    expect(value.getAttribute('data-value')).toBe('200');
    expect(value.textContent).toBe('100');
    expect(screen.getByTestId('tile-orders').className).toContain('tile--flash');

    act(() => vi.advanceTimersByTime(300));
    const halfway = Number(value.textContent);
    // Ease-out: well past the middle by half time, but not there yet.
    expect(halfway).toBeGreaterThan(170);
    expect(halfway).toBeLessThan(200);

    act(() => vi.advanceTimersByTime(350));
    expect(value.textContent).toBe('200');

    act(() => vi.advanceTimersByTime(400));
    expect(screen.getByTestId('tile-orders').className).not.toContain('tile--flash');
  });

  it('jumps straight to the new figure without a flash when the user prefers reduced motion', () => {
    preferReducedMotion(true);
    const { rerender } = render(<Tile id="orders" label="Orders" kind="count" higherIsBetter tile={kpi(100, 90)} currency="GBP" />);

    act(() => {
      rerender(<Tile id="orders" label="Orders" kind="count" higherIsBetter tile={kpi(200, 90)} currency="GBP" />);
    });

    expect(screen.getByTestId('tile-orders-value').textContent).toBe('200');
    expect(screen.getByTestId('tile-orders').className).not.toContain('tile--flash');
  });
});
