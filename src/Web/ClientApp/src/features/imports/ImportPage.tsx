import { useId, useState, type FormEvent, type MouseEvent } from 'react';
import { dashboardPath, historyPath } from '../../app/routing';
import type { StoreKey } from '../../lib/types';
import '../history/history.css';
import { startImport } from './api';
import { formatEta, formatRate, formatRows, isFinished, percentDone, summarise } from './progress';
import type { ImportFormatChoice, ImportProgress } from './types';
import { useImportProgress } from './useImportProgress';

export interface ImportPageProps {
  store: StoreKey;
  storeName?: string;
  navigate: (path: string) => void;
}

/** Upload a Shopify order export (or an Online Retail file), watch it go in, and see which rows were refused and why. */
export function ImportPage({ store, storeName, navigate }: ImportPageProps) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormatChoice>('');
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [started, setStarted] = useState<ImportProgress | null>(null);
  const { progress, pollError } = useImportProgress(started);
  const ids = useId();

  const running = uploading || (progress !== null && !isFinished(progress));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file || running) return;
    setUploading(true);
    setUploadError(null);
    try {
      setStarted(await startImport(store, file, format));
    } catch (error: unknown) {
      setUploadError(error instanceof Error ? error.message : String(error));
    } finally {
      setUploading(false);
    }
  };

  const go = (to: string) => (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    navigate(to);
  };

  return (
    <div className="history">
      <header className="history__header">
        <div>
          <h1>Import history · {storeName ?? store.storeId}</h1>
          <p className="history__muted">Past orders from a CSV export; importing the same file again changes nothing.</p>
        </div>
        <nav className="history__links" aria-label="This store">
          <a href={historyPath(store)} onClick={go(historyPath(store))}>
            History
          </a>
          <a href={dashboardPath(store)} onClick={go(dashboardPath(store))}>
            Live dashboard
          </a>
        </nav>
      </header>

      <main>
        <section className="history-card" aria-labelledby={`${ids}-upload`}>
          <h2 id={`${ids}-upload`} className="section-heading">
            Upload a file
          </h2>
          <form className="import-form" onSubmit={(e) => void submit(e)}>
            <label>
              <span>CSV file</span>
              <input
                type="file"
                accept=".csv,text/csv"
                data-testid="import-file"
                aria-describedby={`${ids}-formats`}
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            </label>
            <label>
              <span>Format</span>
              <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormatChoice)}>
                <option value="">Recognise from the header</option>
                <option value="shopify-orders">Shopify order export</option>
                <option value="online-retail">Online Retail (InvoiceNo, StockCode, …)</option>
              </select>
            </label>
            <button type="submit" className="button--primary" disabled={!file || running}>
              {uploading ? 'Uploading…' : 'Import'}
            </button>
          </form>
          <p id={`${ids}-formats`} className="history__muted">
            Shopify: Orders → Export → “Plain CSV file”. Times without an offset are read in the store’s time zone.
          </p>
          {uploadError ? (
            <p className="notice notice--error" role="alert">
              Could not start the import: {uploadError}
            </p>
          ) : null}
        </section>

        {progress ? <ImportStatusView progress={progress} pollError={pollError} historyHref={historyPath(store)} go={go} /> : null}
      </main>
    </div>
  );
}

interface ImportStatusViewProps {
  progress: ImportProgress;
  pollError: string | null;
  historyHref: string;
  go: (to: string) => (event: MouseEvent<HTMLAnchorElement>) => void;
}

function ImportStatusView({ progress, pollError, historyHref, go }: ImportStatusViewProps) {
  const ids = useId();
  const percent = percentDone(progress);
  const finished = isFinished(progress);
  return (
    <section className="history-card" aria-labelledby={`${ids}-status`} data-testid="import-status" data-status={progress.status}>
      <h2 id={`${ids}-status`} className="section-heading">
        {progress.fileName || 'Import'}: {finished ? (progress.status === 'Completed' ? 'finished' : 'failed') : progress.status === 'Queued' ? 'waiting' : 'importing'}
      </h2>
      <div
        className="import-bar"
        role="progressbar"
        aria-labelledby={`${ids}-status`}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(percent === null ? {} : { 'aria-valuenow': percent })}
        aria-valuetext={percent === null ? 'Reading the file' : `${percent}%, ${formatRows(progress)}`}
      >
        <span className={percent === null ? 'import-bar__fill import-bar__fill--unknown' : 'import-bar__fill'} style={{ width: `${percent ?? 100}%` }} />
      </div>
      <dl className="import-figures">
        <div>
          <dt>Done</dt>
          <dd data-testid="import-rows">
            {percent === null ? '' : `${percent}% · `}
            {formatRows(progress)}
          </dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd data-testid="import-rate">{formatRate(progress.rowsPerSecond)}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd data-testid="import-eta">{formatEta(progress.etaSeconds)}</dd>
        </div>
      </dl>
      {pollError ? (
        <p className="notice" role="status">
          Lost touch with the server ({pollError}); still trying…
        </p>
      ) : null}
      {finished ? (
        <p className={progress.status === 'Failed' ? 'notice notice--error' : 'import-summary'} role="status" data-testid="import-summary">
          {summarise(progress)}{' '}
          {progress.status === 'Completed' ? (
            <a href={historyHref} onClick={go(historyHref)}>
              See it in History
            </a>
          ) : null}
        </p>
      ) : null}
      {progress.errors.length > 0 ? (
        <>
          <h3>Rejected rows</h3>
          {progress.errorCount > progress.errors.length ? (
            <p className="history__muted">
              Showing the first {progress.errors.length} of {progress.errorCount}.
            </p>
          ) : null}
          <div className="history-table-wrap">
            <table className="import-errors" data-testid="import-errors">
              <caption className="visually-hidden">Rows that were not imported, by line of the file</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Line
                  </th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {progress.errors.map((error, i) => (
                  <tr key={`${error.line}-${i}`}>
                    <th scope="row" className="num" data-testid="import-error-line">
                      {error.line}
                    </th>
                    <td>{error.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
