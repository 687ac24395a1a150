import { formatMoney } from '../../../lib/format';
import type { StoreFigures } from '../figures';
import type { Widget } from '../types';
import { countryName, feedRows, orderTime } from './historyFigures';
import { useStoreAnswers } from './useStoreAnswers';

/** How many orders the feed lists. */
export const FEED_LENGTH = 20;

/** The latest orders of the stores the widget covers, newest first; refreshed as the live tiles move. */
export function OrderFeedWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const { answers, error, loaded } = useStoreAnswers(entries, (source, store, signal) => source.recentOrders(store, FEED_LENGTH, signal), 'feed');
  const rows = feedRows(answers, FEED_LENGTH);
  if (!loaded) return <p className="widget__empty">Loading the latest orders…</p>;
  if (rows.length === 0) return <p className="widget__empty">{error ? `Could not load orders: ${error}` : 'No orders in the last week.'}</p>;
  const severalStores = new Set(rows.map((r) => `${r.tenantId}/${r.storeId}`)).size > 1;
  return (
    <table className="ranking order-feed" data-testid={`widget-${widget.id}-feed`} aria-live="polite">
      <caption className="visually-hidden">Latest orders, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Order</th>
          <th scope="col" className="num">
            Total
          </th>
          <th scope="col">Channel</th>
          <th scope="col">Country</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.tenantId}/${row.storeId}/${row.orderId}`} data-order={row.orderId} className={row.cancelled ? 'order-feed__cancelled' : undefined}>
            <td>
              <time dateTime={row.placedAt}>{orderTime(row.placedAt, row.timeZone)}</time>
            </td>
            <td>
              {row.orderId}
              {severalStores ? <span className="order-feed__store"> · {row.storeName}</span> : null}
              {row.cancelled ? <span className="order-feed__store"> · cancelled</span> : null}
            </td>
            <td className="num" data-value={row.total}>
              {formatMoney(row.total, row.currency)}
            </td>
            <td>{row.channel}</td>
            <td title={row.country}>{countryName(row.country)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
