import { describe, expect, it } from 'vitest';
import { buildOrderMapOption } from './orderMapOption';

const colors = { accent: '#44f', empty: '#000', border: '#333', text: '#999', tooltipBackground: '#222', tooltipText: '#fff' };

describe('order map option', () => {
  const option = buildOrderMapOption({
    rows: [
      { code: 'DE', name: 'Germany', value: 105, orders: 4 },
      { code: 'FR', name: 'France', value: 95.5, orders: 2 },
      { code: 'unknown', name: 'Unknown country', value: 5, orders: 1 },
    ],
    measure: 'revenue',
    currency: 'GBP',
    colors,
    animate: false,
  });

  it('shades each known country by its figure, up to the largest', () => {
    expect(option.series[0]!.data).toEqual([
      { name: 'DE', value: 105 },
      { name: 'FR', value: 95.5 },
    ]);
    expect(option.visualMap).toMatchObject({ min: 0, max: 105, inRange: { color: ['#44f'], colorAlpha: [0.35, 1] } });
  });

  it('says the country and its money on hover', () => {
    expect(option.tooltip.formatter({ name: 'FR' })).toBe('France: £95.50');
    expect(option.tooltip.formatter({ name: 'IT' })).toBe('');
  });
});
