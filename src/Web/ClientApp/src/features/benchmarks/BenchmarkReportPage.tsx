import { useEffect, useState, type FormEvent } from 'react';
import { CsvButton } from '../../lib/csv/CsvButton';
import { formatMetric } from './benchmarks';
import { downloadReportPdf, fetchReportForm, makeReport, type BenchmarkReport, type BenchmarkReportForm } from './benchmarkReport';
import { PeerCells, PeerTableHead } from './PeerTableHead';

/**
 * The free benchmark report, outside the signed-in app: upload an orders export, pick the industry, and read your
 * figures against your peers' quartiles, as a page and as a PDF. Nothing is kept; no account is needed.
 */
export function BenchmarkReportPage() {
  const [form, setForm] = useState<BenchmarkReportForm | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [industry, setIndustry] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [report, setReport] = useState<BenchmarkReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    fetchReportForm(abort.signal).then(setForm).catch((e: unknown) => {
      if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    });
    return () => abort.abort();
  }, []);

  const run = (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    work()
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setBusy(false));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file || !industry) return;
    run(async () => {
      setReport(null);
      setReport(await makeReport({ file, industry, currency }));
    });
  };

  return (
    <main className="benchmark-report">
      <h1>Free benchmark report</h1>
      <p>
        Upload an orders export (Shopify, WooCommerce, Amazon, or any CSV with an order id, a date and a total) and see how
        your shop compares with peers of your industry. No account needed; your file is read in memory and not kept.
      </p>
      <form onSubmit={submit} className="benchmark-report__form">
        <label>
          Orders export{' '}
          <input type="file" accept=".csv,.txt,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
        </label>
        <label>
          Industry{' '}
          <select value={industry} onChange={(e) => setIndustry(e.target.value)} required>
            <option value="" disabled>
              Choose…
            </option>
            {form?.industries.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <label>
          Currency if the file has none{' '}
          <input value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} maxLength={3} size={4} />
        </label>
        {form ? <small>Files up to {(form.maxUploadBytes / (1024 * 1024)).toFixed(0)} MB.</small> : null}
        <button type="submit" disabled={busy || !file || !industry}>
          Make my report
        </button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {report ? (
        <section aria-labelledby="benchmark-report-result" data-testid="benchmark-report">
          <h2 id="benchmark-report-result">Your figures against {report.industry} peers</h2>
          <p>
            {report.orders} orders read ({report.layout} layout)
            {report.rowsRejected > 0 ? `, ${report.rowsRejected} rows not usable` : ''}. Figures cover {report.from} to {report.to}, the last 28
            days of your file; size band {report.band} (USD over 28 days).
          </p>
          <CsvButton tableId="benchmark-report-table" name="Benchmark report" />
          <table id="benchmark-report-table" className="benchmarks__table">
            <PeerTableHead />
            <tbody>
              {report.metrics.map((m) => (
                <tr key={m.metric} data-testid={`report-${m.metric}`}>
                  <th scope="row">
                    {m.label}
                    {m.note ? (
                      <>
                        <br />
                        <small>{m.note}</small>
                      </>
                    ) : null}
                  </th>
                  <td>{formatMetric(m.metric, m.you)}</td>
                  <PeerCells {...m} minimumPeers={report.minimumPeers} />
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" disabled={busy || !file} onClick={() => file && run(() => downloadReportPdf({ file, industry: report.industry, currency }, report))}>
            Download PDF
          </button>
        </section>
      ) : null}
    </main>
  );
}
