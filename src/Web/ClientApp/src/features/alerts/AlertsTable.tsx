import { CsvButton } from '../../lib/csv/CsvButton';
import type { AlertView } from './api';

/**
 * Every alert the page lists, one row each, as a table so it downloads like the other tables: the sections above
 * are for acting on alerts, this is for taking them away (a post-mortem, a spreadsheet of a sale's alerts).
 */
export function AlertsTable({ tenantId, alerts }: { tenantId: string; alerts: AlertView[] }) {
  if (alerts.length === 0) return null;
  return (
    <section aria-labelledby="alerts-all" className="alerts-page__table">
      <h2 id="alerts-all">All alerts</h2>
      <CsvButton tableId="alerts-table" name={`Alerts of ${tenantId}`} />
      <table id="alerts-table">
        <thead>
          <tr>
            <th>Status</th>
            <th>Rule</th>
            <th>Store</th>
            <th>Fired</th>
            <th>Acknowledged</th>
            <th>Acknowledged by</th>
            <th>Resolved</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id}>
              <td>{a.status}</td>
              <td>{a.ruleName}</td>
              <td>{a.storeId}</td>
              <td>{when(a.firedAt)}</td>
              <td>{when(a.acknowledgedAt)}</td>
              <td>{a.acknowledgedBy ?? '–'}</td>
              <td>{when(a.resolvedAt)}</td>
              <td>{a.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

// A <time> so the CSV carries the instant (tableCsv reads dateTime), while the screen shows the person's own time.
function when(at: string | null) {
  return at ? <time dateTime={at}>{new Date(at).toLocaleString()}</time> : '–';
}
