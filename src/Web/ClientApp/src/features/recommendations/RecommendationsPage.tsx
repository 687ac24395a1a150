import { useEffect, useState, type FormEvent } from 'react';
import type { StoreKey } from '../../lib/types';
import {
  change,
  dailyFigures,
  fetchRecommendations,
  markRecommendation,
  ordered,
  saveLeadTime,
  type CatalogueStatus,
  type RecommendationItem,
  type RecommendationsResponse,
} from './recommendations';

const money = (value: number, currency: string) => `${value.toFixed(2)} ${currency}`;
const percent = (value: number | null) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`);

/** The figures behind an advice; those given per day (a campaign's spend, revenue and ROAS) as a table with a row per day. */
function Figures({ figures }: { figures: RecommendationItem['figures'] }) {
  const { names, days, rest } = dailyFigures(figures);
  return (
    <>
      <dl>
        {rest.map((f) => (
          <div key={f.name}>
            <dt>{f.name}</dt>
            <dd>{f.value ?? '—'}</dd>
          </div>
        ))}
      </dl>
      {days.length > 0 ? (
        <table data-testid="recommendation-days">
          <thead>
            <tr>
              <th scope="col">Day</th>
              {names.map((name) => (
                <th key={name} scope="col">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.date}>
                <th scope="row">{day.date}</th>
                {names.map((name) => (
                  <td key={name}>{day.values[name] ?? '—'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** Each channel's catalogue: a refused one asks the merchant to reconnect (with a link to the channels), a failed one says so. */
function Catalogues({ catalogues, channelsHref }: { catalogues: CatalogueStatus[]; channelsHref: string }) {
  const notable = catalogues.filter((c) => c.state !== 'read');
  if (notable.length === 0) return null;
  return (
    <ul className="recommendations-catalogues" data-testid="catalogue-statuses">
      {notable.map((c) => (
        <li key={c.channel} data-testid={`catalogue-${c.channel}`} data-state={c.state}>
          {c.message}{' '}
          {c.state === 'reconnect' ? <a href={channelsHref}>Reconnect {c.channel}</a> : null}
          {c.detail ? <small> ({c.detail})</small> : null}
        </li>
      ))}
    </ul>
  );
}

/** The store's restock lead time, which the stock-out advice counts cover against; a refusal shows the server's words. */
function LeadTime({ store, days, onSaved }: { store: StoreKey; days: number; onSaved: () => void }) {
  const [text, setText] = useState(String(days));
  const [problem, setProblem] = useState<string | null>(null);
  // The field follows the saved days when they change (a save read back), and only then: copied in an effect, the
  // saved value came back over whatever had been typed between the form appearing and the effect running.
  const [shownDays, setShownDays] = useState(days);
  if (shownDays !== days) {
    setShownDays(days);
    setText(String(days));
  }
  const save = (event: FormEvent) => {
    event.preventDefault();
    saveLeadTime(store, text)
      .then(() => {
        setProblem(null);
        onSaved();
      })
      .catch((e: unknown) => setProblem(e instanceof Error ? e.message : String(e)));
  };
  return (
    <form className="recommendations-lead-time" onSubmit={save} data-testid="lead-time">
      <label>
        Restock lead time (days){' '}
        <input inputMode="numeric" value={text} onChange={(e) => setText(e.target.value)} aria-invalid={problem !== null} />
      </label>{' '}
      <button type="submit">Save</button>
      {problem ? <p role="alert">{problem}</p> : null}
    </form>
  );
}

/** What to do, ranked by the revenue at stake, with the figures behind each advice and its before/after once done. */
export function RecommendationsPage({ store }: { store: StoreKey }) {
  const [view, setView] = useState<RecommendationsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    fetchRecommendations(store, abort.signal)
      .then(setView)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [store, tick]);

  const mark = (id: string, status: 'open' | 'done' | 'dismissed') =>
    markRecommendation(store, id, status)
      .then(() => setTick((t) => t + 1))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));

  return (
    <section className="recommendations" aria-labelledby="recommendations-title" data-testid="recommendations">
      <h1 id="recommendations-title">Recommendations</h1>
      {error ? <p role="alert">{error}</p> : null}
      {view ? (
        <>
          <Catalogues catalogues={view.catalogues} channelsHref={`/stores/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}/channels`} />
          <LeadTime store={store} days={view.leadTimeDays} onSaved={() => setTick((t) => t + 1)} />
        </>
      ) : null}
      {view && view.items.length === 0 ? <p>Nothing to act on in the last 28 days.</p> : null}
      <ol>
        {view
          ? ordered(view.items).map((item) => (
              <li key={item.id} data-testid={`recommendation-${item.id}`} data-status={item.status}>
                <h2>{item.title}</h2>
                <p>
                  <strong>{item.action}</strong> At stake: {money(item.revenueAtStake, view.currency)}.{' '}
                  <a href={`/stores/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}/${item.drillDown}`}>Look closer</a>
                </p>
                <Figures figures={item.figures} />
                {item.result ? (
                  <p data-testid="recommendation-result">
                    {item.result.days} days before and after: revenue {money(item.result.before.revenue, view.currency)} →{' '}
                    {money(item.result.after.revenue, view.currency)} ({percent(change(item.result.before.revenue, item.result.after.revenue))}), orders{' '}
                    {item.result.before.orders} → {item.result.after.orders}
                  </p>
                ) : null}
                {item.status === 'open' ? (
                  <>
                    <button type="button" onClick={() => void mark(item.id, 'done')}>
                      Done
                    </button>{' '}
                    <button type="button" onClick={() => void mark(item.id, 'dismissed')}>
                      Dismiss
                    </button>
                  </>
                ) : (
                  <button type="button" onClick={() => void mark(item.id, 'open')}>
                    Reopen ({item.status})
                  </button>
                )}
              </li>
            ))
          : null}
      </ol>
    </section>
  );
}
