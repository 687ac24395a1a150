import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { send, tenantApi } from '../../lib/http';
import { CsvButton } from '../../lib/csv/CsvButton';
import '../plan/settings.css';

interface AuditEntry {
  id: number;
  at: string;
  actorUserId: string | null;
  actorEmail: string | null;
  apiKeyId: string | null;
  action: string;
  method: string;
  path: string;
  target: Record<string, string>;
  status: number;
  outcome: 'succeeded' | 'refused' | 'failed';
  summary: string | null;
}

interface AuditPageBody {
  entries: AuditEntry[];
  nextBefore: number | null;
}

interface Filters {
  actor: string;
  action: string;
  outcome: string;
}

const PAGE = 50;

function query(filters: Filters, before: number | null): string {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (filters.actor.trim()) params.set('actor', filters.actor.trim());
  if (filters.action.trim()) params.set('action', filters.action.trim());
  if (filters.outcome) params.set('outcome', filters.outcome);
  if (before !== null) params.set('before', String(before));
  return params.toString();
}

/** Who changed what in the organisation, newest first, with refusals; admins only. */
export function AuditPage({ tenantId }: { tenantId: string }) {
  const [filters, setFilters] = useState<Filters>({ actor: '', action: '', outcome: '' });
  const [applied, setApplied] = useState<Filters>(filters);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (f: Filters, before: number | null) => {
      try {
        const page = await send<AuditPageBody>('GET', tenantApi(tenantId, `audit?${query(f, before)}`));
        setEntries((old) => (before === null ? page.entries : [...old, ...page.entries]));
        setNext(page.nextBefore);
        setError(null);
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    },
    [tenantId],
  );

  useEffect(() => {
    document.title = 'Audit log · SalesDash';
    void load(applied, null);
  }, [load, applied]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(filters);
  };

  return (
    <main className="settings-page">
      <h1>Audit log</h1>
      <form className="audit-filters" onSubmit={submit} aria-label="Filter">
        <label>
          <span>Who (user id, e-mail or API key)</span>
          <input type="text" value={filters.actor} onChange={(e) => setFilters({ ...filters, actor: e.target.value })} />
        </label>
        <label>
          <span>Action</span>
          <input type="text" value={filters.action} placeholder="e.g. UpdateDashboard" onChange={(e) => setFilters({ ...filters, action: e.target.value })} />
        </label>
        <label>
          <span>Outcome</span>
          <select value={filters.outcome} onChange={(e) => setFilters({ ...filters, outcome: e.target.value })}>
            <option value="">Any</option>
            <option value="succeeded">Succeeded</option>
            <option value="refused">Refused</option>
            <option value="failed">Failed</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {error ? (
        <p role="alert" className="settings-page__error">
          {error}
        </p>
      ) : null}
      <CsvButton tableId="audit-table" name={`Audit log of ${tenantId}`} />
      <table className="settings-table" data-testid="audit-table" id="audit-table">
        <caption>Changes, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-outcome={e.outcome}>
              <td>
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
              </td>
              <td>{e.actorEmail ?? e.actorUserId ?? (e.apiKeyId ? `API key ${e.apiKeyId}` : 'Anonymous')}</td>
              <td>{e.action}</td>
              <td>
                {Object.entries(e.target)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}
              </td>
              <td>
                {e.outcome} ({e.status})
              </td>
              <td>{e.summary ?? ''}</td>
            </tr>
          ))}
          {entries.length === 0 && !error ? (
            <tr>
              <td colSpan={6}>Nothing recorded{applied.actor || applied.action || applied.outcome ? ' for these filters' : ''}.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {next !== null ? (
        <button type="button" onClick={() => void load(applied, next)}>
          Older entries
        </button>
      ) : null}
    </main>
  );
}
