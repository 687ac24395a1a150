// A table as the person sees it, as CSV: what the CSV buttons under every table download. Built from the rendered
// table so the file always holds exactly the rows and columns on screen, whatever feature drew them.

/** Columns whose header cell carries data-csv="skip" (buttons, actions) are left out. */
export function tableRows(table: HTMLTableElement): string[][] {
  const headerRow = table.tHead?.rows[0] ?? null;
  const skip = new Set<number>();
  const header: string[] = [];
  if (headerRow) {
    Array.from(headerRow.cells).forEach((cell, i) => {
      if (cell.dataset.csv === 'skip') skip.add(i);
      else header.push(text(cell));
    });
  }

  const rows: string[][] = header.length > 0 ? [header] : [];
  for (const body of Array.from(table.tBodies)) {
    for (const row of Array.from(body.rows)) {
      // A row that only says "nothing here" (one cell across the table) is not data.
      if (row.cells.length === 1 && (row.cells[0]?.colSpan ?? 1) > 1) continue;
      rows.push(Array.from(row.cells).filter((_, i) => !skip.has(i)).map(text));
    }
  }

  return rows;
}

function text(cell: HTMLTableCellElement): string {
  // A <time> keeps the exact instant in dateTime; the screen shows it in the reader's locale.
  const time = cell.querySelector('time');
  if (time?.dateTime && cell.textContent?.trim() === time.textContent?.trim()) return time.dateTime;
  return (cell.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** RFC 4180 with CRLF rows; a field that a spreadsheet would run as a formula is prefixed with ' (as the server's exports do). */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** "Audit log of acme" → "audit-log-of-acme.csv". */
export function csvFileName(name: string): string {
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${stem || 'table'}.csv`;
}

/** Saves the table as a CSV file (UTF-8 with a byte-order mark, so Excel reads "£" right). */
export function downloadTableCsv(table: HTMLTableElement, name: string): void {
  const blob = new Blob(['\uFEFF', toCsv(tableRows(table))], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = csvFileName(name);
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked on the next turn: the click has handed the blob to the download by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
