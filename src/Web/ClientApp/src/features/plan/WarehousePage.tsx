import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ProblemError, send, tenantApi } from './http';
import './settings.css';

export interface WarehouseView {
  kind: 'PostgreSql' | 'ClickHouse';
  host: string;
  port: number;
  database: string;
  username: string;
  hasPassword: boolean;
  tls: boolean;
  intervalMinutes: number;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastRowsWritten: number | null;
}

interface Draft {
  kind: 'PostgreSql' | 'ClickHouse';
  host: string;
  port: string;
  database: string;
  username: string;
  password: string;
  tls: boolean;
  intervalMinutes: string;
}

const EMPTY: Draft = { kind: 'PostgreSql', host: '', port: '5432', database: '', username: '', password: '', tls: true, intervalMinutes: '60' };
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/**
 * The data warehouse connection (Enterprise): where orders, lines, refunds and daily KPIs are copied, how often, and
 * how the last copy went. The password is never shown; leaving it empty keeps the stored one.
 */
export function WarehousePage({ tenantId }: { tenantId: string }) {
  const id = useId();
  const [view, setView] = useState<WarehouseView | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const show = useCallback((v: WarehouseView | null) => {
    setView(v);
    if (v) setDraft({ ...v, port: String(v.port), password: '', intervalMinutes: String(v.intervalMinutes) });
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    document.title = 'Data warehouse · SalesDash';
    send<WarehouseView>('GET', tenantApi(tenantId, 'warehouse'), undefined, abort.signal).then(show, (e: unknown) => {
      if (abort.signal.aborted) return;
      if (e instanceof ProblemError && e.status === 404) show(null);
      else setMessage(e instanceof Error ? e.message : String(e));
    });
    return () => abort.abort();
  }, [tenantId, show]);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      await work();
    } catch (e) {
      if (e instanceof ProblemError && Object.keys(e.errors).length > 0) setErrors(e.errors);
      else setMessage(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const body = {
        kind: draft.kind,
        host: draft.host,
        port: Number(draft.port),
        database: draft.database,
        username: draft.username,
        ...(draft.password ? { password: draft.password } : {}),
        tls: draft.tls,
        intervalMinutes: Number(draft.intervalMinutes),
      };
      show(await send<WarehouseView>('PUT', tenantApi(tenantId, 'warehouse'), body));
      setMessage('Connected: the tables are in place and the first copy runs at the next interval.');
    });
  };

  const syncNow = (full: boolean) =>
    act(async () => {
      const result = await send<{ orders: number; refunds: number }>('POST', tenantApi(tenantId, `warehouse/sync${full ? '?full=true' : ''}`));
      setMessage(`Copied ${result.orders} orders and ${result.refunds} refunds.`);
      show(await send<WarehouseView>('GET', tenantApi(tenantId, 'warehouse')));
    });

  const disconnect = () =>
    act(async () => {
      await send<void>('DELETE', tenantApi(tenantId, 'warehouse'));
      show(null);
      setDraft(EMPTY);
      setMessage('Disconnected. Nothing already copied was removed from the warehouse.');
    });

  const field = (name: keyof Draft, label: string, type = 'text') => (
    <p>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        type={type}
        value={String(draft[name])}
        onChange={(e) => setDraft((d) => ({ ...d, [name]: e.target.value }))}
        aria-invalid={errors[name] ? true : undefined}
      />
      {errors[name] ? (
        <span className="settings-page__error" data-testid={`error-${name}`}>
          {errors[name].join(' ')}
        </span>
      ) : null}
    </p>
  );

  return (
    <main className="settings-page">
      <h1>Data warehouse</h1>
      <p>
        Orders, order lines, refunds and daily KPIs are copied to your own PostgreSQL or ClickHouse on a schedule, each run
        continuing where the last one stopped.
      </p>
      {message ? (
        <p role="status" data-testid="warehouse-message">
          {message}
        </p>
      ) : null}
      {view ? (
        <p data-testid="warehouse-last-run">
          Last run: {when(view.lastRunAt)}
          {view.lastError ? ` — failed: ${view.lastError}` : view.lastRowsWritten !== null ? ` — ${view.lastRowsWritten} rows` : ''}
        </p>
      ) : (
        <p data-testid="warehouse-none">No warehouse is connected.</p>
      )}
      <form onSubmit={save}>
        <p>
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select
            id={`${id}-kind`}
            value={draft.kind}
            onChange={(e) => setDraft((d) => ({ ...d, kind: e.target.value as Draft['kind'], port: e.target.value === 'ClickHouse' ? '8443' : '5432' }))}
          >
            <option value="PostgreSql">PostgreSQL</option>
            <option value="ClickHouse">ClickHouse</option>
          </select>
        </p>
        {field('host', 'Host')}
        {field('port', 'Port', 'number')}
        {field('database', 'Database')}
        {field('username', 'User')}
        {field('password', view?.hasPassword ? 'Password (leave empty to keep)' : 'Password', 'password')}
        <p>
          <label>
            <input type="checkbox" checked={draft.tls} onChange={(e) => setDraft((d) => ({ ...d, tls: e.target.checked }))} /> TLS
          </label>
        </p>
        {field('intervalMinutes', 'Copy every (minutes)', 'number')}
        <button type="submit" disabled={busy}>
          {view ? 'Save' : 'Connect'}
        </button>
      </form>
      {view ? (
        <p>
          <button type="button" disabled={busy} onClick={() => void syncNow(false)}>
            Copy now
          </button>{' '}
          <button type="button" disabled={busy} onClick={() => void syncNow(true)}>
            Copy everything again
          </button>{' '}
          <button type="button" disabled={busy} onClick={() => void disconnect()}>
            Disconnect
          </button>
        </p>
      ) : null}
    </main>
  );
}
