import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { alertsApi, type AlertPause, type AlertsApi, type AlertStatus, type AlertView } from './api';
import { AlertsTable } from './AlertsTable';
import './alerts.css';

export interface AlertsPageProps {
  tenantId: string;
  /** The organisation's stores, for pausing one of them. */
  stores: { storeId: string; name: string }[];
  canAcknowledge: boolean;
  canPause: boolean;
  api?: AlertsApi;
}

const sections: { status: AlertStatus; title: string }[] = [
  { status: 'Firing', title: 'Firing' },
  { status: 'Acknowledged', title: 'Acknowledged' },
  { status: 'Resolved', title: 'Resolved' },
];

/** The organisation's alerts by state, acknowledging, and "pause all alerts until …" for a sale or maintenance. */
export function AlertsPage({ tenantId, stores, canAcknowledge, canPause, api = alertsApi }: AlertsPageProps) {
  const [alerts, setAlerts] = useState<AlertView[] | null>(null);
  const [pauses, setPauses] = useState<AlertPause[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api.list(tenantId).then(setAlerts, (e: Error) => setError(e.message));
    api.pauses(tenantId).then(setPauses, (e: Error) => setError(e.message));
  }, [api, tenantId]);
  useEffect(reload, [reload]);

  const acknowledge = async (id: string) => {
    try {
      await api.acknowledge(tenantId, id);
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <main className="alerts-page" data-testid="alerts-page">
      <h1>Alerts</h1>
      {error ? <p role="alert">{error}</p> : null}
      <PauseSection tenantId={tenantId} stores={stores} pauses={pauses} canPause={canPause} api={api} onChanged={reload} onError={setError} />
      {alerts === null ? <p>Loading…</p> : null}
      {alerts !== null
        ? sections.map(({ status, title }) => {
            const listed = alerts.filter((a) => a.status === status);
            return (
              <section key={status} aria-labelledby={`alerts-${status}`} data-testid={`alerts-${status.toLowerCase()}`}>
                <h2 id={`alerts-${status}`}>
                  {title} ({listed.length})
                </h2>
                {listed.length === 0 ? <p className="alerts-page__empty">None.</p> : null}
                <ul className="alerts-page__list">
                  {listed.map((a) => (
                    <li key={a.id} data-testid={`alert-${a.id}`}>
                      <strong>{a.ruleName}</strong> · {a.storeId} · <time dateTime={a.firedAt}>{new Date(a.firedAt).toLocaleString()}</time>
                      <div>{a.message}</div>
                      {a.acknowledgedAt ? <div className="alerts-page__meta">Acknowledged{a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}</div> : null}
                      {status === 'Firing' && canAcknowledge ? (
                        <button type="button" onClick={() => acknowledge(a.id)}>
                          Acknowledge
                        </button>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </section>
            );
          })
        : null}
      {alerts !== null ? <AlertsTable tenantId={tenantId} alerts={alerts} /> : null}
    </main>
  );
}

function PauseSection({
  tenantId,
  stores,
  pauses,
  canPause,
  api,
  onChanged,
  onError,
}: {
  tenantId: string;
  stores: { storeId: string; name: string }[];
  pauses: AlertPause[];
  canPause: boolean;
  api: AlertsApi;
  onChanged: () => void;
  onError: (message: string) => void;
}) {
  const [storeId, setStoreId] = useState('');
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const pause = async (e: FormEvent) => {
    e.preventDefault();
    try {
      // datetime-local is the person's own time; the server takes an instant.
      await api.pause(tenantId, { storeId: storeId || null, until: new Date(until).toISOString(), reason: reason.trim() || null });
      onChanged();
    } catch (err) {
      onError((err as Error).message);
    }
  };
  const resume = async (p: AlertPause) => {
    try {
      await api.resume(tenantId, p.storeId);
      onChanged();
    } catch (err) {
      onError((err as Error).message);
    }
  };
  return (
    <section aria-labelledby="alerts-pause" className="alerts-page__pause">
      <h2 id="alerts-pause">Pause alerts</h2>
      {pauses.length === 0 ? <p>Alerts are not paused.</p> : null}
      <ul>
        {pauses.map((p) => (
          <li key={p.storeId ?? ''} data-testid={`pause-${p.storeId ?? 'organisation'}`}>
            {p.storeId ? `Store ${p.storeId}` : 'Every store'} paused until <time dateTime={p.until}>{new Date(p.until).toLocaleString()}</time>
            {p.reason ? ` (${p.reason})` : ''}{' '}
            {canPause ? (
              <button type="button" onClick={() => resume(p)}>
                Resume now
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {canPause ? (
        <form onSubmit={pause} aria-label="Pause all alerts until" className="alerts-page__form">
          <label>
            Pause{' '}
            <select value={storeId} onChange={(e) => setStoreId(e.target.value)}>
              <option value="">every store</option>
              {stores.map((s) => (
                <option key={s.storeId} value={s.storeId}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            until <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} required />
          </label>
          <label>
            because <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} placeholder="Black Friday sale" />
          </label>
          <button type="submit">Pause all alerts</button>
        </form>
      ) : null}
    </section>
  );
}
