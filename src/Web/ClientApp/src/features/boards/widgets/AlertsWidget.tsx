import type { StoreFigures } from '../figures';
import type { Widget } from '../types';
import { alertRows, newestMinute, orderTime } from './historyFigures';
import { useStoreAnswers } from './useStoreAnswers';

/** How many alerts the widget lists. */
export const ALERTS_LISTED = 20;

const statusText = { Firing: 'Firing', Acknowledged: 'Acknowledged', Resolved: 'Resolved' } as const;

/**
 * The stores' alerts, newest first. Alerts fire on closed minutes, even when no order arrives (a drop in sales), so
 * the list is read again whenever the live tiles reach a new minute, not only when events are applied.
 */
export function AlertsWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const minute = newestMinute(entries.map((e) => e.tiles.asOf));
  const { answers, error, loaded } = useStoreAnswers(entries, (source, store, signal) => source.alerts(store, ALERTS_LISTED, signal), `alerts#${minute}`);
  const rows = alertRows(answers, ALERTS_LISTED);
  if (!loaded) return <p className="widget__empty">Loading alerts…</p>;
  if (rows.length === 0) return <p className="widget__empty">{error ? `Could not load alerts: ${error}` : 'No alerts. All quiet.'}</p>;
  const severalStores = new Set(rows.map((r) => `${r.tenantId}/${r.storeId}`)).size > 1;
  return (
    <ul className="alerts-list" data-testid={`widget-${widget.id}-alerts`} aria-label="Alerts, newest first">
      {rows.map((row) => (
        <li key={`${row.tenantId}/${row.id}`} className={`alerts-list__item alerts-list__item--${row.status.toLowerCase()}`} data-alert={row.id} data-status={row.status}>
          <span className="alerts-list__status">{statusText[row.status] ?? row.status}</span>
          <time dateTime={row.firedAt}>{orderTime(row.firedAt, row.timeZone)}</time>
          <span className="alerts-list__message">
            {row.message}
            {severalStores ? <span className="order-feed__store"> · {row.storeName}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}
