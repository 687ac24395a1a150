import { useState } from 'react';
import { CsvButton } from '../../lib/csv/CsvButton';
import { PeriodSelect } from '../../lib/PeriodSelect';
import { usePolledRead } from '../../lib/usePolledRead';
import {
  fetchChannelInsights,
  formatAmount,
  formatCount,
  formatRate,
  formatRatio,
  formatShare,
  visibleRows,
  type ChannelInsightResponse,
} from './insights';

/** How often the comparison is read again: facts reach history within seconds of a webhook or a sync. */
const refreshMs = 5000;

/** The channel comparison of an organisation: ranking, ROAS per ad channel, MER overall, attribution, matched customers, traffic. */
export function ChannelInsights({ tenantId, load = fetchChannelInsights }: { tenantId: string; load?: typeof fetchChannelInsights }) {
  const [period, setPeriod] = useState('last30');
  const { data: report, error } = usePolledRead<ChannelInsightResponse>((signal) => load(tenantId, period, signal), `${tenantId}/${period}`, refreshMs);

  const money = (value: number) => formatAmount(value, report?.currency ?? 'USD');
  return (
    <section className="insights" aria-labelledby="insights-title" data-testid="channel-insights">
      <h2 id="insights-title">Channel comparison</h2>
      <PeriodSelect value={period} onChange={setPeriod} />
      {error ? <p role="alert">Could not load the comparison: {error}</p> : null}
      {report ? (
        <>
          <div className="insights__overall">
            <p>
              Revenue <strong data-testid="insights-revenue">{money(report.revenue)}</strong>
            </p>
            <p>
              Ad spend <strong>{money(report.spend)}</strong>
            </p>
            <p>
              MER <strong data-testid="insights-mer">{formatRatio(report.mer)}</strong>
            </p>
            <p>
              Blended ROAS <strong>{formatRatio(report.blendedRoas)}</strong>
            </p>
            <p>
              Matched customers <strong>{report.customers.crossChannelCustomers}</strong> of {report.customers.customers} bought on more than one
              channel
            </p>
          </div>
          <CsvButton tableId="insights-channels" name="Channels" />
          <table id="insights-channels" data-testid="insights-channels">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Channel</th>
                <th scope="col">Revenue</th>
                <th scope="col">Orders</th>
                <th scope="col">AOV</th>
                <th scope="col">Share</th>
                <th scope="col">Spend</th>
                <th scope="col">ROAS</th>
                <th scope="col">First-touch revenue</th>
                <th scope="col">Last-touch revenue</th>
              </tr>
            </thead>
            <tbody>
              {visibleRows(report.rows).map((row) => (
                <tr key={row.channel} data-testid={`insight-row-${row.channel}`}>
                  <td>{row.rank}</td>
                  <td>{row.channel}</td>
                  <td>{money(row.revenue)}</td>
                  <td>{row.orders}</td>
                  <td>{row.averageOrderValue === null ? '—' : money(row.averageOrderValue)}</td>
                  <td>{formatShare(row.share)}</td>
                  <td>{money(row.spend)}</td>
                  <td>{formatRatio(row.roas)}</td>
                  <td>{money(row.firstTouchRevenue)}</td>
                  <td>{money(row.lastTouchRevenue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.rows.length === 0 ? <p>No orders or ad spend in this period yet.</p> : null}
          <h3>Traffic by source</h3>
          {report.traffic && report.traffic.length > 0 ? <CsvButton tableId="insights-traffic" name="Traffic by source" /> : null}
          {report.traffic && report.traffic.length > 0 ? (
            <table className="insights__traffic" data-testid="insights-traffic" id="insights-traffic">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Users</th>
                  <th scope="col">Active users</th>
                  <th scope="col">Sessions</th>
                  <th scope="col">Conversions</th>
                  <th scope="col">Conversion rate</th>
                </tr>
              </thead>
              <tbody>
                {report.traffic.map((row) => (
                  <tr key={row.touch} data-testid={`traffic-row-${row.touch}`}>
                    <td title={row.sources.join(', ')}>{row.touch}</td>
                    <td>{formatCount(row.users)}</td>
                    <td>{formatCount(row.activeUsers)}</td>
                    <td>{formatCount(row.sessions)}</td>
                    <td>{formatCount(row.conversions)}</td>
                    <td>{formatRate(row.conversionRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No analytics traffic in this period. Connect GoogleAnalytics (GA4) above to see users and conversion rate per source.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
