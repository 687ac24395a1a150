import { useEffect, useId, useState, type FormEvent, type MouseEvent } from 'react';
import { dashboardPath, historyPath } from '../../app/routing';
import { CsvButton } from '../../lib/csv/CsvButton';
import type { StoreKey } from '../../lib/types';
import '../history/history.css';
import { previewImport, startImport } from './api';
import { formatEta, formatRate, formatRows, isFinished, percentDone, summarise } from './progress';
import type { ImportChoices, ImportPreview, ImportProgress } from './types';
import { useImportProgress } from './useImportProgress';

export interface ImportPageProps {
  store: StoreKey;
  storeName?: string;
  navigate: (path: string) => void;
}

/** What each field means, in the words of the mapping step; the first three make an order. */
const FIELD_LABELS: Record<string, string> = {
  orderId: 'Order id',
  date: 'Date',
  total: 'Order total',
  quantity: 'Quantity',
  unitPrice: 'Unit price',
  lineTotal: 'Line total',
  sku: 'SKU',
  product: 'Product',
  customer: 'Customer',
  currency: 'Currency',
  country: 'Country',
  refunded: 'Refunded amount',
  status: 'Status',
  shipping: 'Shipping',
  tax: 'Tax',
  subtotal: 'Subtotal',
  discounts: 'Discounts',
  cancelledAt: 'Cancelled at',
  paidAt: 'Paid at',
  source: 'Source',
  externalId: 'Platform order id',
};

const NO_CHOICES: ImportChoices = { format: '', mapping: {}, dateOrder: '' };

/**
 * Upload an orders export: the page previews the file's first rows and what each becomes before anything is written,
 * asks for a column mapping when no known layout fits and for the date order when the file cannot tell, then imports
 * it and shows progress and the rows that were refused and why.
 */
export function ImportPage({ store, storeName, navigate }: ImportPageProps) {
  const [file, setFile] = useState<File | null>(null);
  const [choices, setChoices] = useState<ImportChoices>(NO_CHOICES);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [started, setStarted] = useState<ImportProgress | null>(null);
  const { progress, pollError } = useImportProgress(started);
  const ids = useId();

  const running = uploading || (progress !== null && !isFinished(progress));

  useEffect(() => {
    if (!file) return;
    const abort = new AbortController();
    setPreviewing(true);
    setUploadError(null);
    previewImport(store, file, choices, abort.signal)
      .then((answer) => {
        setPreview(answer);
        // A file no layout knows starts from an empty mapping the person fills in.
        if (answer.needsMapping && choices.format === '') setChoices((c) => ({ ...c, format: 'custom' }));
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        setPreview(null);
        setUploadError(error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        if (!abort.signal.aborted) setPreviewing(false);
      });
    return () => abort.abort();
  }, [store, file, choices]);

  const ready = preview !== null && !previewing && (preview.failure === null || (preview.needsDateOrder && choices.dateOrder !== ''));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file || running || !ready) return;
    setUploading(true);
    setUploadError(null);
    try {
      setStarted(await startImport(store, file, choices));
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

  const setField = (field: string, header: string) => setChoices((c) => ({ ...c, format: 'custom', mapping: { ...c.mapping, [field]: header } }));

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
                accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
                data-testid="import-file"
                aria-describedby={`${ids}-formats`}
                onChange={(e) => {
                  setFile(e.target.files?.[0] ?? null);
                  setChoices(NO_CHOICES);
                  setPreview(null);
                }}
              />
            </label>
            <label>
              <span>Layout</span>
              <select
                value={choices.format}
                data-testid="import-layout"
                onChange={(e) => setChoices((c) => ({ ...c, format: e.target.value }))}
              >
                <option value="">Recognise from the header</option>
                {(preview?.layouts ?? []).map((l) => (
                  <option key={l.name} value={l.name}>
                    {l.title}
                  </option>
                ))}
                <option value="custom">My own columns (map them below)</option>
              </select>
            </label>
            <button type="submit" className="button--primary" disabled={!file || running || !ready}>
              {uploading ? 'Uploading…' : 'Import'}
            </button>
          </form>
          <p id={`${ids}-formats`} className="history__muted">
            Understood as they are: Shopify orders export, Online Retail, WooCommerce orders export, Amazon order report, and any file with a date, an
            order id and an amount. Comma, semicolon or tab separated; UTF-8 or Latin-1. Times without an offset are read in the store’s time zone.
          </p>
          {uploadError ? (
            <p className="notice notice--error" role="alert">
              Could not start the import: {uploadError}
            </p>
          ) : null}
        </section>

        {preview && !started ? (
          <PreviewView preview={preview} choices={choices} previewing={previewing} setField={setField} setChoices={setChoices} />
        ) : null}

        {progress ? <ImportStatusView progress={progress} pollError={pollError} historyHref={historyPath(store)} go={go} /> : null}
      </main>
    </div>
  );
}

interface PreviewViewProps {
  preview: ImportPreview;
  choices: ImportChoices;
  previewing: boolean;
  setField: (field: string, header: string) => void;
  setChoices: (update: (c: ImportChoices) => ImportChoices) => void;
}

function PreviewView({ preview, choices, previewing, setField, setChoices }: PreviewViewProps) {
  const ids = useId();
  const mapping = choices.format === 'custom';
  const amount = (value: number | null, currency: string | null) =>
    value === null ? '' : `${value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${currency ? ` ${currency}` : ''}`;
  return (
    <section className="history-card" aria-labelledby={`${ids}-preview`} data-testid="import-preview" aria-busy={previewing}>
      <h2 id={`${ids}-preview`} className="section-heading">
        Preview: what the first rows become
      </h2>
      <p className="history__muted" data-testid="import-detected">
        {preview.encoding.toUpperCase()}, {preview.delimiter}-separated, {preview.header.length} columns
        {preview.layout ? ` · read as ${preview.layouts.find((l) => l.name === preview.layout)?.title ?? 'your column mapping'}` : ''}
        {preview.dateOrder ? ` · dates ${preview.dateOrder}${preview.dateOrderFrom === 'file' ? ' (the file’s own dates show it)' : ''}` : ''}
      </p>
      {mapping || preview.needsMapping ? (
        <fieldset className="import-mapping" data-testid="import-mapping">
          <legend>Which column holds what? An order id, a date and an amount (order total, line total or unit price) are needed.</legend>
          {preview.fields.map((field) => (
            <label key={field}>
              <span>{FIELD_LABELS[field] ?? field}</span>
              <select value={choices.mapping[field] ?? ''} onChange={(e) => setField(field, e.target.value)} data-field={field}>
                <option value="">—</option>
                {preview.header.map((h, i) => (
                  <option key={`${h}-${i}`} value={h}>
                    {h}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
      ) : null}
      {preview.needsDateOrder || choices.dateOrder ? (
        <fieldset className="import-date-order" data-testid="import-date-order">
          <legend>Dates like 03/04 could be 3 April or 4 March. Which comes first in this file?</legend>
          <label>
            <input
              type="radio"
              name={`${ids}-order`}
              checked={choices.dateOrder === 'day-first'}
              onChange={() => setChoices((c) => ({ ...c, dateOrder: 'day-first' }))}
            />
            Day first (31/12/2024)
          </label>
          <label>
            <input
              type="radio"
              name={`${ids}-order`}
              checked={choices.dateOrder === 'month-first'}
              onChange={() => setChoices((c) => ({ ...c, dateOrder: 'month-first' }))}
            />
            Month first (12/31/2024)
          </label>
        </fieldset>
      ) : null}
      {preview.failure && !(preview.needsDateOrder && choices.dateOrder) ? (
        <p className="notice notice--error" role="status" data-testid="import-preview-failure">
          {preview.failure}
        </p>
      ) : (
        <p className="import-summary" data-testid="import-preview-summary">
          Of the first {preview.sampleRows} rows: {preview.sampleOrders} become orders, {preview.sampleRefunds} refunds, {preview.sampleRejected} are
          refused. Nothing is written until you press Import.
        </p>
      )}
      <div className="history-table-wrap">
        <table className="import-preview-table" data-testid="import-preview-rows">
          <caption className="visually-hidden">The file’s first rows and what each becomes</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Line
              </th>
              <th scope="col">Becomes</th>
              <th scope="col">Order</th>
              <th scope="col">When (store time)</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Customer</th>
              <th scope="col">Why not</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr key={row.line} data-becomes={row.becomes}>
                <th scope="row" className="num">
                  {row.line}
                </th>
                <td>{row.becomes}</td>
                <td>{row.orderId ?? ''}</td>
                <td>{row.placedAt ? row.placedAt.replace('T', ' ').slice(0, 16) : ''}</td>
                <td className="num">{amount(row.amount, row.currency)}</td>
                <td>{row.customer ?? (row.becomes === 'order' ? 'guest' : '')}</td>
                <td>{row.problem ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
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
        {progress.fileName || 'Import'}: {finished ? (progress.status === 'Completed' ? 'finished' : 'failed') : progress.status === 'Queued' || progress.status === 'Uploading' ? 'waiting' : 'importing'}
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
          <CsvButton tableId="import-errors" name="Rejected rows of the import" />
          {progress.errorCount > progress.errors.length ? (
            <p className="history__muted">
              Showing the first {progress.errors.length} of {progress.errorCount}.
            </p>
          ) : null}
          <div className="history-table-wrap">
            <table className="import-errors" data-testid="import-errors" id="import-errors">
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
