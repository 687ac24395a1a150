// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { csvFileName, tableRows, toCsv } from './tableCsv';

function table(html: string): HTMLTableElement {
  document.body.innerHTML = html;
  return document.querySelector('table')!;
}

describe('table CSV', () => {
  it('holds the header and every row on screen, leaving out action columns and "nothing here" rows', () => {
    const t = table(`<table>
      <thead><tr><th>When</th><th>Who</th><th>Amount</th><th data-csv="skip"><span>Actions</span></th></tr></thead>
      <tbody>
        <tr><td><time dateTime="2026-11-24T09:15:00Z">24/11/2026, 09:15</time></td><td>Ann  Lee</td><td>1,234.50</td><td><button>Delete</button></td></tr>
        <tr><td>–</td><td>Bob</td><td>-3</td><td><button>Delete</button></td></tr>
      </tbody>
      <tbody><tr><td colspan="4">No more rows</td></tr></tbody>
    </table>`);
    expect(tableRows(t)).toEqual([
      ['When', 'Who', 'Amount'],
      ['2026-11-24T09:15:00Z', 'Ann Lee', '1,234.50'],
      ['–', 'Bob', '-3'],
    ]);
  });

  it('quotes per RFC 4180 with CRLF rows and defuses formulas', () => {
    expect(toCsv([['a,b', 'say "hi"', '=SUM(A1)', '-3', 'line\nbreak']])).toBe('"a,b","say ""hi""",\'=SUM(A1),-3,"line\nbreak"\r\n');
  });

  it('names the file after what the table is', () => {
    expect(csvFileName('Audit log of acme')).toBe('audit-log-of-acme.csv');
    expect(csvFileName('***')).toBe('table.csv');
  });
});
