import { useEffect, useState } from 'react';
import { CsvButton } from '../../lib/csv/CsvButton';
import type { StoreKey } from '../../lib/types';
import {
  CUSTOMER_PERIODS,
  cellTitle,
  fetchCohorts,
  fetchCustomers,
  money,
  monthLabel,
  percent,
  type CohortsResponse,
  type CustomerPeriod,
  type CustomersSummary,
} from './customers';
import './customers.css';

const COHORT_MONTHS = 12;

/**
 * Customers, not orders: new vs returning, repeat rate, orders per customer and lifetime value for a period, and
 * retention by first-order month. Guests who left neither an account nor an e-mail are counted as orders only.
 */
export function CustomersPage({ store, storeName }: { store: StoreKey; storeName?: string }) {
  const [period, setPeriod] = useState<CustomerPeriod>('last30');
  const [summary, setSummary] = useState<CustomersSummary | null>(null);
  const [cohorts, setCohorts] = useState<CohortsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    fetchCustomers(store, period, abort.signal)
      .then(setSummary)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [store, period]);

  useEffect(() => {
    const abort = new AbortController();
    fetchCohorts(store, COHORT_MONTHS, abort.signal)
      .then(setCohorts)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [store]);

  const f = summary?.figures;
  const currency = summary?.currency ?? '';
  return (
    <section className="customers" aria-labelledby="customers-title" data-testid="customers">
      <h1 id="customers-title">Customers{storeName ? ` · ${storeName}` : ''}</h1>
      <label>
        Period{' '}
        <select value={period} onChange={(e) => setPeriod(e.target.value as CustomerPeriod)} aria-label="Period">
          {CUSTOMER_PERIODS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {error ? <p role="alert">{error}</p> : null}
      {f ? (
        <dl className="customers__figures" data-testid="customer-figures">
          <Figure name="Customers" id="customers" value={String(f.customers)} />
          <Figure name="New" id="new" value={String(f.newCustomers)} />
          <Figure name="Returning" id="returning" value={String(f.returningCustomers)} />
          <Figure name="Repeat purchase rate" id="repeat-rate" value={percent(f.repeatPurchaseRate)} />
          <Figure name="Orders per customer" id="orders-per-customer" value={f.averageOrdersPerCustomer === null ? '—' : f.averageOrdersPerCustomer.toFixed(2)} />
          <Figure
            name="LTV 90 days"
            id="ltv-90"
            value={money(f.ltv90Days.perCustomer, currency)}
            note={`${f.ltv90Days.customers} new customers whose 90 days have passed`}
          />
          <Figure
            name="LTV 12 months"
            id="ltv-12"
            value={money(f.ltv12Months.perCustomer, currency)}
            note={`${f.ltv12Months.customers} new customers whose 12 months have passed`}
          />
          <Figure
            name="Orders"
            id="orders"
            value={`${f.identifiedOrders} identified · ${f.unidentifiedOrders} unidentified`}
            note="Unidentified: guest checkouts with neither an account nor an e-mail; they are not counted as customers."
          />
        </dl>
      ) : null}
      <h2>Retention by first-order month</h2>
      <p className="customers__hint">Share of each month&apos;s new customers who ordered again n months later (UTC months). Hover a cell for the counts.</p>
      {cohorts ? (
        <div className="customers__cohorts">
          <CsvButton tableId="cohort-table" name="Retention by first-order month" />
          <table id="cohort-table" data-testid="cohort-table">
            <thead>
              <tr>
                <th scope="col">First order</th>
                <th scope="col">Customers</th>
                {Array.from({ length: COHORT_MONTHS }, (_, k) => (
                  <th scope="col" key={k}>
                    {`M${k}`}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {cohorts.cohorts.rows.map((row) => (
                <tr key={row.month} data-month={monthLabel(row.month)}>
                  <th scope="row">{monthLabel(row.month)}</th>
                  <td>{row.customers}</td>
                  {row.cells.map((cell, k) =>
                    cell === null ? (
                      <td key={k} data-k={k} />
                    ) : (
                      <td
                        key={k}
                        data-k={k}
                        data-customers={cell.customers}
                        title={cellTitle(row, cell)}
                        style={{ ['--retained' as string]: String(cell.retained) }}
                      >
                        {row.customers === 0 ? '—' : percent(cell.retained)}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function Figure({ name, id, value, note }: { name: string; id: string; value: string; note?: string }) {
  return (
    <div data-testid={`customer-${id}`}>
      <dt>{name}</dt>
      <dd title={note}>{value}</dd>
    </div>
  );
}
