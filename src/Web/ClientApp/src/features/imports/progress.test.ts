import { describe, expect, it } from 'vitest';
import { formatEta, formatRate, formatRows, percentDone, summarise } from './progress';
import { importProgress } from './testing';
import type { ImportProgress } from './types';

/** A running import unless the test says otherwise. */
const progress = (overrides: Partial<ImportProgress>) => importProgress({ status: 'Running', ...overrides });

describe('import progress', () => {
  it('shows a percentage once the row count is known', () => {
    expect(percentDone(progress({ totalRows: 0 }))).toBeNull();
    expect(percentDone(progress({ totalRows: 3, rowsDone: 2 }))).toBe(66);
    expect(percentDone(progress({ status: 'Completed', totalRows: 0 }))).toBe(100);
    expect(formatRows(progress({ totalRows: 12_000, rowsDone: 4_200 }))).toBe('4,200 of 12,000 rows');
  });

  it('prints the speed, and waits for one before claiming any', () => {
    expect(formatRate(null)).toBe('measuring…');
    expect(formatRate(0)).toBe('measuring…');
    expect(formatRate(2.25)).toBe('2.3 rows/s');
    expect(formatRate(18_432.7)).toBe('18,433 rows/s');
  });

  it('prints time left so it never reads 0 while work remains', () => {
    expect(formatEta(null)).toBe('estimating…');
    expect(formatEta(0)).toBe('done');
    expect(formatEta(0.4)).toBe('less than a second');
    expect(formatEta(11.2)).toBe('12 s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(4_830)).toBe('1 h 20 min');
  });
});

describe('import summary', () => {
  it('counts what went in and what was refused', () => {
    expect(summarise(progress({ status: 'Completed', totalRows: 5, eventsAccepted: 4, errorCount: 1 }))).toBe(
      'Imported 4 orders and refunds from 5 rows. 1 row was rejected (listed below).',
    );
  });

  it('says nothing changed when the same file comes in again', () => {
    expect(summarise(progress({ status: 'Completed', totalRows: 5, eventsDuplicate: 4, errorCount: 1 }))).toBe(
      'Nothing changed: all 4 orders and refunds in this file were already imported. 1 row was rejected (listed below).',
    );
  });

  it('gives the reason an import stopped, and nothing while it runs', () => {
    expect(summarise(progress({ status: 'Failed', failure: 'the store was removed' }))).toBe('The import stopped: the store was removed.');
    expect(summarise(progress({ status: 'Running' }))).toBe('');
  });
});
