import { describe, expect, it } from 'vitest';
import { formatDays, statusLabel, summaryTiles } from './shipments';

describe('shipments panel', () => {
  it('leads with in transit, delivered, exceptions, awaiting carrier and the average time to deliver', () => {
    const tiles = summaryTiles({ parcels: 4, pending: 1, inTransit: 0, delivered: 2, exceptions: 1, averageDaysToDeliver: 3.25 });
    expect(tiles.map((t) => [t.label, t.value])).toEqual([
      ['In transit', '0'],
      ['Delivered', '2'],
      ['Exceptions', '1'],
      ['Awaiting carrier', '1'],
      ['Average time to deliver', '3.3 days'],
    ]);
  });

  it('prints days with one decimal and a dash before delivery', () => {
    expect(formatDays(2.5)).toBe('2.5 days');
    expect(formatDays(1)).toBe('1.0 day');
    expect(formatDays(null)).toBe('—');
  });

  it('reads carrier statuses as words', () => {
    expect(statusLabel('out_for_delivery')).toBe('Out for delivery');
  });
});
