import { describe, expect, it } from 'vitest';
import { sparklinePath } from './CustomMetricWidget';

describe('sparklinePath', () => {
  it('draws through the values and breaks the line where an hour has no value', () => {
    expect(sparklinePath([0, 10, null, 5], 30, 10)).toBe('M0.0 10.0 L10.0 0.0 M30.0 5.0');
  });

  it('draws nothing when no hour has a value', () => {
    expect(sparklinePath([null, null], 30, 10)).toBe('');
  });
});
