import { describe, expect, it } from 'vitest';
import {
  deltaSentiment,
  formatCount,
  formatDelta,
  formatLastWeek,
  formatLocalDate,
  formatLocalTime,
  formatLocalTimeWithSeconds,
  formatMoney,
  formatMoneyCompact,
  formatOrders,
  localDateIn,
  tweenValue,
} from './format';

describe('formatMoney', () => {
  it('prints pounds with grouping and pence', () => {
    expect(formatMoney(12345.6, 'GBP')).toBe('£12,345.60');
  });

  it('uses the store currency, not the locale’s', () => {
    expect(formatMoney(12, 'EUR')).toBe('€12.00');
    expect(formatMoney(1999.5, 'USD')).toBe('US$1,999.50');
  });

  it('prints currencies without minor units as whole amounts', () => {
    expect(formatMoney(1500, 'JPY')).toBe('JP¥1,500');
  });

  it('keeps showing a figure when the currency code is unknown to the browser', () => {
    expect(formatMoney(3.5, 'not-a-code')).toBe('3.50 not-a-code');
  });

  it('shows negatives with a minus sign', () => {
    expect(formatMoney(-20, 'GBP')).toBe('-£20.00');
  });
});

describe('formatCount', () => {
  it('groups thousands and shows no decimals', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(41.6)).toBe('42');
    expect(formatCount(0)).toBe('0');
  });
});

describe('formatDelta', () => {
  it('shows a rise with an up arrow and one decimal', () => {
    expect(formatDelta(0.123)).toEqual({ text: '▲ 12.3% vs last week', direction: 'up' });
  });

  it('shows a fall with a down arrow and the size of the fall', () => {
    expect(formatDelta(-0.04)).toEqual({ text: '▼ 4.0% vs last week', direction: 'down' });
  });

  it('says there is nothing to compare when last week was zero', () => {
    expect(formatDelta(null)).toEqual({ text: '— no data last week', direction: 'none' });
  });

  it('rounds to one decimal place', () => {
    expect(formatDelta(0.12345).text).toBe('▲ 12.3% vs last week');
    expect(formatDelta(0.12355).text).toBe('▲ 12.4% vs last week');
    expect(formatDelta(2.5).text).toBe('▲ 250.0% vs last week');
    expect(formatDelta(-1).text).toBe('▼ 100.0% vs last week');
  });

  it('calls a change that rounds to 0.0% flat instead of pointing an arrow', () => {
    expect(formatDelta(0)).toEqual({ text: '— 0.0% vs last week', direction: 'flat' });
    expect(formatDelta(0.0004)).toEqual({ text: '— 0.0% vs last week', direction: 'flat' });
    expect(formatDelta(-0.0004)).toEqual({ text: '— 0.0% vs last week', direction: 'flat' });
  });
});

describe('deltaSentiment', () => {
  it('treats a rise as good news for revenue and bad news for refunds', () => {
    expect(deltaSentiment('up', true)).toBe('good');
    expect(deltaSentiment('up', false)).toBe('bad');
    expect(deltaSentiment('down', true)).toBe('bad');
    expect(deltaSentiment('down', false)).toBe('good');
    expect(deltaSentiment('none', true)).toBe('neutral');
    expect(deltaSentiment('flat', false)).toBe('neutral');
  });
});

describe('formatLastWeek', () => {
  it('prints last week’s figure with the tile’s own format', () => {
    expect(formatLastWeek({ value: 10, lastWeek: 1234.5, changeRatio: -0.99 }, (n) => formatMoney(n, 'GBP'))).toBe(
      'Same time last week: £1,234.50',
    );
  });
});

describe('times and dates in the store’s zone', () => {
  it('prints a UTC minute as the store’s local HH:mm', () => {
    expect(formatLocalTime('2026-11-25T14:05:00Z', 'Europe/London')).toBe('14:05');
    expect(formatLocalTime('2026-11-25T14:05:00Z', 'America/New_York')).toBe('09:05');
    expect(formatLocalTime('2026-11-25T14:05:00Z', 'Asia/Kolkata')).toBe('19:35');
  });

  it('follows daylight saving time', () => {
    expect(formatLocalTime('2026-07-01T14:05:00Z', 'Europe/London')).toBe('15:05');
  });

  it('uses a 24-hour clock at midnight', () => {
    expect(formatLocalTime('2026-11-25T00:07:00+00:00', 'Europe/London')).toBe('00:07');
  });

  it('includes seconds for the last-update stamp', () => {
    expect(formatLocalTimeWithSeconds('2026-11-25T14:59:30.123Z', 'Europe/London')).toBe('14:59:30');
  });

  it('falls back to UTC for an unknown zone rather than failing', () => {
    expect(formatLocalTime('2026-11-25T14:05:00Z', 'Mars/Olympus')).toBe('14:05');
  });

  it('prints nothing for an unreadable timestamp', () => {
    expect(formatLocalTime('soon', 'Europe/London')).toBe('');
  });

  it('prints the store-local date without shifting it through the browser’s zone', () => {
    expect(formatLocalDate('2026-11-25')).toBe('Wednesday 25 November 2026');
    expect(formatLocalDate('2027-01-01')).toBe('Friday 1 January 2027');
  });

  it('works out today in the store’s zone', () => {
    const lateEvening = new Date('2026-11-25T23:30:00Z');
    expect(localDateIn(lateEvening, 'Europe/London')).toBe('2026-11-25');
    expect(localDateIn(lateEvening, 'Asia/Tokyo')).toBe('2026-11-26');
    expect(localDateIn(lateEvening, 'America/Los_Angeles')).toBe('2026-11-25');
  });
});

describe('chart text', () => {
  it('shortens axis figures', () => {
    // ICU versions differ on the case of the suffix.
    expect(formatMoneyCompact(1200, 'GBP')).toMatch(/^£1\.2[kK]$/);
    expect(formatMoneyCompact(350, 'GBP')).toBe('£350');
  });

  it('pluralises orders', () => {
    expect(formatOrders(1)).toBe('1 order');
    expect(formatOrders(0)).toBe('0 orders');
    expect(formatOrders(1200)).toBe('1,200 orders');
  });
});

describe('tweenValue', () => {
  it('starts at the old figure and lands exactly on the new one', () => {
    expect(tweenValue(100, 200, 0, 600)).toBe(100);
    expect(tweenValue(100, 200, 600, 600)).toBe(200);
    expect(tweenValue(100, 200, 900, 600)).toBe(200);
  });

  it('eases out: past halfway by half time, moving monotonically', () => {
    const half = tweenValue(100, 200, 300, 600);
    expect(half).toBeCloseTo(187.5, 5);
    const samples = [0, 100, 200, 300, 400, 500, 600].map((t) => tweenValue(0, 50, t, 600));
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
  });

  it('counts down as well as up', () => {
    expect(tweenValue(200, 100, 300, 600)).toBeCloseTo(112.5, 5);
  });

  it('jumps straight to the figure when there is no time to animate', () => {
    expect(tweenValue(1, 9, 0, 0)).toBe(9);
  });
});
