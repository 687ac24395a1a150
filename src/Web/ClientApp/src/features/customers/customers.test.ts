import { describe, expect, it } from 'vitest';
import { cellTitle, money, monthLabel, percent, type CohortRow } from './customers';

describe('customers', () => {
  it('prints shares, money and months as the page shows them', () => {
    expect(percent(0.3333)).toBe('33.3%');
    expect(percent(null)).toBe('—');
    expect(money(1234.5, 'GBP')).toBe('1234.50 GBP');
    expect(money(null, 'GBP')).toBe('—');
    expect(monthLabel('2026-03-01')).toBe('2026-03');
  });

  it('says on hover how many of the cohort ordered in a month', () => {
    const row: CohortRow = { month: '2026-01-01', customers: 8, cells: [{ monthsSince: 0, customers: 8, retained: 1 }, { monthsSince: 1, customers: 3, retained: 0.375 }] };
    expect(cellTitle(row, row.cells[1]!)).toBe('3 of 8 customers who first ordered in 2026-01 ordered in month 1');
  });
});
