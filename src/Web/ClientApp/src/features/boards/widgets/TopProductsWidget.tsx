import { formatCount, formatMoney } from '../../../lib/format';
import type { StoreFigures } from '../figures';
import type { Widget } from '../types';
import { topProducts } from './historyFigures';
import { useStoreAnswers } from './useStoreAnswers';
import type { ProductRank } from './widgetData';

/** How many products the widget lists (per currency when ranked by revenue). */
export const TOP_PRODUCTS = 10;

/** Today's best sellers of the stores the widget covers. */
export function TopProductsWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const rank: ProductRank = widget.settings.metric === 'units-sold' ? 'units' : 'revenue';
  const { answers, error, loaded } = useStoreAnswers(entries, (source, store, signal) => source.topProducts(store, rank, TOP_PRODUCTS, signal), rank);
  const rows = topProducts(answers, rank, TOP_PRODUCTS);
  if (!loaded) return <p className="widget__empty">Loading today’s products…</p>;
  if (rows.length === 0) return <p className="widget__empty">{error ? `Could not load products: ${error}` : 'No products sold yet today.'}</p>;
  const severalCurrencies = new Set(rows.map((r) => r.currency)).size > 1;
  return (
    <table className="ranking" data-testid={`widget-${widget.id}-products`}>
      <caption className="visually-hidden">Top products today by {rank}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Product</th>
          <th scope="col" className="num">
            {rank === 'units' ? 'Units' : 'Revenue'}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.currency}-${row.sku}`} data-sku={row.sku}>
            <td>{row.rank}</td>
            <td title={row.sku}>
              {row.title}
              {severalCurrencies && rank === 'revenue' ? ` (${row.currency})` : ''}
            </td>
            <td className="num" data-value={rank === 'units' ? row.units : row.revenue}>
              {rank === 'units' ? formatCount(row.units) : formatMoney(row.revenue, row.currency)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
