import { useEffect, useState } from 'react';
import { CsvButton } from '../../lib/csv/CsvButton';
import {
  fetchBenchmarks,
  fetchBenchmarkSettings,
  formatMetric,
  metricInfo,
  position,
  saveBenchmarkSettings,
  type BenchmarkSettings,
  type BenchmarksResponse,
} from './benchmarks';
import { PeerCells, PeerTableHead } from './PeerTableHead';

/** "You vs peers": the organisation's figures against its cohort's quartiles, and its industry and consent. */
export function BenchmarksPage({ tenantId }: { tenantId: string }) {
  const [settings, setSettings] = useState<BenchmarkSettings | null>(null);
  const [view, setView] = useState<BenchmarksResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    fetchBenchmarkSettings(tenantId, abort.signal).then(setSettings).catch((e: unknown) => {
      if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    });
    fetchBenchmarks(tenantId, abort.signal).then(setView).catch((e: unknown) => {
      if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    });
    return () => abort.abort();
  }, [tenantId, tick]);

  const change = (update: { industry?: string; takesPart?: boolean }) => {
    saveBenchmarkSettings(tenantId, update)
      .then((s) => {
        setSettings(s);
        setTick((t) => t + 1);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  return (
    <section className="benchmarks" aria-labelledby="benchmarks-title" data-testid="benchmarks">
      <h1 id="benchmarks-title">Benchmarks</h1>
      {error ? <p role="alert">{error}</p> : null}
      {settings ? (
        <form className="benchmarks__settings" onSubmit={(e) => e.preventDefault()}>
          {settings.notice ? (
            <p className="benchmarks__notice" role="note" data-testid="benchmarks-notice">
              {settings.notice}
            </p>
          ) : null}
          <label>
            Industry{' '}
            <select
              value={settings.industry ?? ''}
              onChange={(e) => change({ industry: e.target.value })}
              data-testid="benchmarks-industry"
            >
              <option value="" disabled>
                Choose…
              </option>
              {settings.industries.map((i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input
              type="checkbox"
              checked={settings.takesPart}
              onChange={(e) => change({ takesPart: e.target.checked })}
              data-testid="benchmarks-takes-part"
            />{' '}
            Count my figures, anonymously, in peer benchmarks
          </label>
        </form>
      ) : null}
      {view ? (
        <>
          <p>
            Last 28 days{view.band ? `, size band ${view.band}` : ''}.{' '}
            {view.computedAt ? `Peers computed ${new Date(view.computedAt).toLocaleString()}.` : 'Peers not computed yet.'}
          </p>
          <CsvButton tableId="benchmarks-table" name="Figures against peers" />
          <table id="benchmarks-table" className="benchmarks__table">
            <PeerTableHead />
            <tbody>
              {view.metrics.map((m) => (
                <tr key={m.metric} data-testid={`benchmark-${m.metric}`}>
                  <th scope="row">{metricInfo[m.metric]?.label ?? m.metric}</th>
                  <td>
                    {formatMetric(m.metric, m.you)} <small>{position(m)}</small>
                  </td>
                  <PeerCells {...m} minimumPeers={view.minimumPeers} />
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
