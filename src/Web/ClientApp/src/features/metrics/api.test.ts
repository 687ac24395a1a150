import { describe, expect, it } from 'vitest';
import { caretLine, formatMetric } from './api';

describe('custom metric display', () => {
  it('marks the offending text of a formula with carets', () => {
    expect(caretLine('revenue - cogs', { position: 10, length: 4, message: "Unknown figure 'cogs'." })).toBe('          ^^^^');
    expect(caretLine('revenue +', { position: 9, length: 0, message: 'ends' })).toBe('         ^');
  });

  it('shows no value as a dash, not zero or infinity', () => {
    expect(formatMetric(null, 'number', 'EUR')).toBe('—');
    expect(formatMetric(0.125, 'percent', 'EUR')).toMatch(/12[.,]5\s?%/);
  });
});
