import { downloadTableCsv } from './tableCsv';
import './csv.css';

/**
 * "Download CSV" for the table with id `tableId`, placed where a person looks for it: beside the table's heading.
 * `name` says what the table is ("Audit log of acme"), for the file name and for screen readers.
 */
export function CsvButton({ tableId, name }: { tableId: string; name: string }) {
  return (
    <button
      type="button"
      className="csv-button"
      aria-label={`Download ${name} as CSV`}
      onClick={() => {
        const table = document.getElementById(tableId);
        if (table instanceof HTMLTableElement) downloadTableCsv(table, name);
      }}
    >
      Download CSV
    </button>
  );
}
