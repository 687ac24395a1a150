import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { StoreSummary } from '../../lib/types';
import { ValidationError } from '../../lib/http';
import { errorText, useReload } from '../../lib/useReload';
import { CsvButton } from '../../lib/csv/CsvButton';
import { reportsApi } from './api';
import {
  allMetrics,
  attemptText,
  draftOf,
  emptyDraft,
  formatBytes,
  formatLabels,
  inputOf,
  metricLabels,
  periodLabels,
  sectionLabels,
  type ReportDraft,
} from './reportForm';
import type { Report, ReportFormat, ReportPeriod, ReportSections, ReportSend, ReportShareCreated } from './types';
import './exports.css';
import './reports.css';

export interface ReportsPageProps {
  tenantId: string;
  /** The organisation's stores, or null while they load. */
  stores: readonly StoreSummary[] | null;
}

type Editing = { kind: 'new' } | { kind: 'edit'; report: Report } | null;

const when = (iso: string | null) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '–');

/**
 * The organisation's reports: build one (period, custom range or a sale, stores rolled up or not, metrics, sections,
 * format), schedule it or run it now, download it, share a read-only link and revoke it, and the history of sends.
 */
export function ReportsPage({ tenantId, stores }: ReportsPageProps) {
  const [editing, setEditing] = useState<Editing>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [shared, setShared] = useState<{ reportId: string; link: ReportShareCreated } | null>(null);
  const own = (stores ?? []).filter((s) => s.tenantId === tenantId);

  const { data: reports, error, reload } = useReload<Report[]>(useCallback(() => reportsApi.list(tenantId), [tenantId]));

  const run = async (report: Report) => {
    setStatus(`Sending ${report.name}…`);
    try {
      const send = await reportsApi.run(tenantId, report.id);
      setStatus(
        send.status === 'Sent'
          ? `${report.name} was sent to ${send.recipients.join(', ')} for ${send.periodFrom}${send.periodTo !== send.periodFrom ? ` to ${send.periodTo}` : ''}.`
          : `${report.name} could not be sent: ${send.error ?? 'unknown error'}${send.nextAttemptAt ? ` It is tried again at ${when(send.nextAttemptAt)}.` : ''}`,
      );
      setSelected(report.id);
    } catch (e) {
      setStatus(errorText(e));
    }
  };

  const share = async (report: Report) => {
    try {
      setShared({ reportId: report.id, link: await reportsApi.share(tenantId, report.id) });
      await reload();
    } catch (e) {
      setStatus(errorText(e));
    }
  };

  const revoke = async (report: Report) => {
    try {
      await reportsApi.revokeShare(tenantId, report.id);
      if (shared?.reportId === report.id) setShared(null);
      setStatus(`The share link of ${report.name} no longer opens it.`);
      await reload();
    } catch (e) {
      setStatus(errorText(e));
    }
  };

  const remove = async (report: Report) => {
    if (!window.confirm(`Delete the report “${report.name}” and its history?`)) return;
    await reportsApi.remove(tenantId, report.id);
    if (selected === report.id) setSelected(null);
    await reload();
  };

  return (
    <main className="reports">
      <header className="reports__header">
        <h1>Reports of {tenantId}</h1>
        <button type="button" onClick={() => setEditing({ kind: 'new' })} disabled={own.length === 0}>
          New report
        </button>
      </header>
      {error ? (
        <p className="notice notice--error" role="alert">
          Could not load the reports: {error}
        </p>
      ) : null}
      {status ? (
        <p className="notice" role="status" data-testid="report-status">
          {status}
        </p>
      ) : null}
      {editing ? (
        <ReportForm
          tenantId={tenantId}
          stores={own}
          editing={editing}
          onDone={async (saved) => {
            setEditing(null);
            if (saved) {
              setStatus(`Saved ${saved.name}.`);
              await reload();
            }
          }}
        />
      ) : null}
      {reports === null && !error ? <p>Loading reports…</p> : null}
      {reports && reports.length === 0 ? (
        <p>No reports yet. A report mails the figures (PDF, CSV or Excel) on a schedule, or for a range you pick when you run it.</p>
      ) : null}
      {shared ? (
        <p className="notice" role="status">
          Anyone with this link can read (not change) {reports?.find((r) => r.id === shared.reportId)?.name ?? 'the report'}; it is shown only
          now: <input readOnly value={shared.link.url} aria-label="Share link" data-testid="report-share-url" size={60} onFocus={(e) => e.target.select()} />
        </p>
      ) : null}
      {reports && reports.length > 0 ? <CsvButton tableId="reports-list" name={`Reports of ${tenantId}`} /> : null}
      {reports && reports.length > 0 ? (
        <table className="reports__list" data-testid="reports-list" id="reports-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Schedule</th>
              <th>Stores</th>
              <th>Recipients</th>
              <th>Next send</th>
              <th data-csv="skip">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {reports.map((report) => (
              <tr key={report.id} data-testid={`report-${report.id}`}>
                <td>
                  {report.name}
                  {report.enabled ? null : <span className="reports__muted"> (paused)</span>}
                </td>
                <td>
                  {report.period === 'custom' ? `${report.from} to ${report.to}, on request` : `${report.period} at ${report.sendTime}`} ({report.timeZone}),{' '}
                  {formatLabels[report.format]}
                  {report.rollUp ? ', rolled up' : ''}
                </td>
                <td>{report.storeIds.join(', ')}</td>
                <td>{report.recipients.join(', ')}</td>
                <td>{when(report.nextSendAt)}</td>
                <td className="reports__actions">
                  <button type="button" onClick={() => void run(report)} aria-label={`Run ${report.name} now`}>
                    Run now
                  </button>
                  <button type="button" onClick={() => setSelected(selected === report.id ? null : report.id)} aria-label={`History of ${report.name}`}>
                    History
                  </button>
                  <button type="button" onClick={() => setEditing({ kind: 'edit', report })} aria-label={`Edit ${report.name}`}>
                    Edit
                  </button>
                  <a href={reportsApi.previewUrl(tenantId, report.id)} target="_blank" rel="noreferrer">
                    Preview
                  </a>
                  <span className="export-buttons" role="group" aria-label={`Download ${report.name}`}>
                    {(['pdf', 'csv', 'xlsx'] as ReportFormat[]).map((format) => (
                      <a
                        key={format}
                        className="export-button"
                        href={reportsApi.downloadUrl(tenantId, report.id, format)}
                        download
                        aria-label={`Download ${report.name} as ${format.toUpperCase()}`}
                      >
                        {format.toUpperCase()}
                      </a>
                    ))}
                  </span>
                  <button type="button" onClick={() => void share(report)} aria-label={`Share ${report.name}`}>
                    {report.share && !report.share.revokedAt ? 'New link' : 'Share link'}
                  </button>
                  {report.share && !report.share.revokedAt ? (
                    <button type="button" onClick={() => void revoke(report)} aria-label={`Revoke the link of ${report.name}`}>
                      Revoke link
                    </button>
                  ) : null}
                  <button type="button" onClick={() => void remove(report)} aria-label={`Delete ${report.name}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {selected && reports?.some((r) => r.id === selected) ? (
        <SendHistory key={`${selected}|${status ?? ''}`} tenantId={tenantId} report={reports.find((r) => r.id === selected)!} />
      ) : null}
    </main>
  );
}

function SendHistory({ tenantId, report }: { tenantId: string; report: Report }) {
  const [sends, setSends] = useState<ReportSend[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    reportsApi.sends(tenantId, report.id, abort.signal).then(setSends, (e: unknown) => {
      if (!abort.signal.aborted) setError(errorText(e));
    });
    return () => abort.abort();
  }, [tenantId, report.id]);

  return (
    <section className="reports__history" aria-labelledby="report-history-title">
      <h2 id="report-history-title">History of {report.name}</h2>
      {sends && sends.length > 0 ? <CsvButton tableId="report-history" name={`History of ${report.name}`} /> : null}
      {error ? <p role="alert">{error}</p> : null}
      {sends === null && !error ? <p>Loading…</p> : null}
      {sends && sends.length === 0 ? <p>Not sent yet.</p> : null}
      {sends && sends.length > 0 ? (
        <table data-testid="report-history" id="report-history">
          <thead>
            <tr>
              <th>When</th>
              <th>Period</th>
              <th>How</th>
              <th>Recipients</th>
              <th>Status</th>
              <th>Attempts</th>
              <th data-csv="skip">File</th>
            </tr>
          </thead>
          <tbody>
            {sends.map((s) => (
              <tr key={s.id} data-testid="report-send">
                <td>{when(s.startedAt)}</td>
                <td>{s.periodFrom === s.periodTo ? s.periodFrom : `${s.periodFrom} to ${s.periodTo}`}</td>
                <td>{s.trigger}</td>
                <td>{s.recipients.join(', ')}</td>
                <td data-testid="report-send-status">
                  {s.status}
                  {s.error ? <span className="reports__error"> — {s.error}</span> : null}
                  {s.nextAttemptAt ? <span className="reports__muted"> (next try {when(s.nextAttemptAt)})</span> : null}
                </td>
                <td data-testid="report-send-attempts" title={s.smtpReply ? `Accepted: ${s.smtpReply}` : undefined}>
                  {attemptText(s)}
                </td>
                <td>
                  {s.pdfBytes ? (
                    <a href={reportsApi.fileUrl(tenantId, report.id, s.id)} download>
                      Download {(s.format ?? 'pdf').toUpperCase()} ({formatBytes(s.pdfBytes)})
                    </a>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

interface ReportFormProps {
  tenantId: string;
  stores: readonly StoreSummary[];
  editing: Exclude<Editing, null>;
  onDone: (saved: Report | null) => void | Promise<void>;
}

function ReportForm({ tenantId, stores, editing, onDone }: ReportFormProps) {
  const [draft, setDraft] = useState<ReportDraft>(() =>
    editing.kind === 'edit' ? draftOf(editing.report) : emptyDraft(stores.slice(0, 1).map((s) => s.storeId)),
  );
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [saving, setSaving] = useState(false);
  const ids = useId();
  const set = <K extends keyof ReportDraft>(key: K, value: ReportDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const fieldError = (key: string) =>
    errors[key] ? (
      <span className="reports__field-error" role="alert">
        {errors[key].join(' ')}
      </span>
    ) : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      const input = inputOf(draft);
      const saved = editing.kind === 'edit' ? await reportsApi.update(tenantId, editing.report.id, input) : await reportsApi.create(tenantId, input);
      await onDone(saved);
    } catch (e) {
      setErrors(e instanceof ValidationError ? e.errors : { body: [errorText(e)] });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="reports__form" onSubmit={(e) => void submit(e)} aria-label={editing.kind === 'edit' ? 'Edit report' : 'New report'}>
      <h2>{editing.kind === 'edit' ? `Edit ${editing.report.name}` : 'New report'}</h2>
      {fieldError('body')}
      <label>
        <span>Name</span>
        <input value={draft.name} onChange={(e) => set('name', e.target.value)} required maxLength={100} />
        {fieldError('name')}
      </label>
      <fieldset>
        <legend>Stores</legend>
        {stores.map((s) => (
          <label key={s.storeId} className="reports__check">
            <input
              type="checkbox"
              checked={draft.storeIds.includes(s.storeId)}
              onChange={(e) => set('storeIds', e.target.checked ? [...draft.storeIds, s.storeId] : draft.storeIds.filter((x) => x !== s.storeId))}
            />
            {s.name} ({s.currency})
          </label>
        ))}
        {fieldError('storeIds')}
        <label className="reports__check">
          <input type="checkbox" checked={draft.rollUp} onChange={(e) => set('rollUp', e.target.checked)} />
          Also roll the stores up into one, in the organisation’s reporting currency (converted at each day’s stored rate)
        </label>
      </fieldset>
      <label>
        <span>How often</span>
        <select value={draft.period} onChange={(e) => set('period', e.target.value as ReportPeriod)}>
          {(Object.keys(periodLabels) as ReportPeriod[]).map((p) => (
            <option key={p} value={p}>
              {periodLabels[p]}
            </option>
          ))}
        </select>
        {fieldError('period')}
      </label>
      {draft.period === 'custom' ? (
        <>
          <label>
            <span>From</span>
            <input type="date" value={draft.from} onChange={(e) => set('from', e.target.value)} required aria-label="From" />
            {fieldError('from')}
          </label>
          <label>
            <span>To</span>
            <input type="date" value={draft.to} onChange={(e) => set('to', e.target.value)} required aria-label="To" />
            {fieldError('to')}
          </label>
        </>
      ) : (
        <label>
          <span>Send at</span>
          <input type="time" value={draft.sendTime} onChange={(e) => set('sendTime', e.target.value)} required />
          {fieldError('sendTime')}
        </label>
      )}
      <label>
        <span>Time zone</span>
        <input
          value={draft.timeZone}
          onChange={(e) => set('timeZone', e.target.value)}
          placeholder="The first store’s, e.g. Europe/London"
          aria-describedby={`${ids}-zone`}
        />
        {fieldError('timeZone')}
      </label>
      <small id={`${ids}-zone`}>An IANA zone; the send time and the report’s days are in this zone.</small>
      <label>
        <span>Recipients</span>
        <textarea value={draft.recipients} onChange={(e) => set('recipients', e.target.value)} rows={2} placeholder="ops@example.com, ceo@example.com" />
        {fieldError('recipients')}
      </label>
      <fieldset>
        <legend>Sections</legend>
        {(Object.keys(sectionLabels) as (keyof ReportSections)[]).map((key) => (
          <label key={key} className="reports__check">
            <input type="checkbox" checked={draft.sections[key]} onChange={(e) => set('sections', { ...draft.sections, [key]: e.target.checked })} />
            {sectionLabels[key]}
          </label>
        ))}
        {fieldError('sections')}
      </fieldset>
      <fieldset>
        <legend>Metrics in the KPI summary</legend>
        {allMetrics.map((m) => (
          <label key={m} className="reports__check">
            <input
              type="checkbox"
              checked={draft.metrics.includes(m)}
              onChange={(e) => set('metrics', e.target.checked ? [...draft.metrics, m] : draft.metrics.filter((x) => x !== m))}
            />
            {metricLabels[m]}
          </label>
        ))}
        {fieldError('metrics')}
      </fieldset>
      <label>
        <span>Format</span>
        <select value={draft.format} onChange={(e) => set('format', e.target.value as ReportFormat)}>
          {(Object.keys(formatLabels) as ReportFormat[]).map((f) => (
            <option key={f} value={f}>
              {formatLabels[f]}
            </option>
          ))}
        </select>
        {fieldError('format')}
      </label>
      {draft.period === 'custom' ? null : (
        <label className="reports__check">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          Send on schedule
        </label>
      )}
      <div className="reports__form-actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save report'}
        </button>
        <button type="button" onClick={() => void onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
