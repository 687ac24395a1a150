import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { alertsApi, type TradingHoursView, type AlertPause, type AlertRuleRequest, type AlertRuleView, type AlertsApi, type AlertStatus, type AlertView } from './api';
import { KINDS, RuleEditor, type RuleDraft } from './RuleEditor';
import { browserNotificationState, disableBrowserNotifications, enableBrowserNotifications, type BrowserNotificationState } from './browserNotifications';
import { AlertsTable } from './AlertsTable';
import { StoreSelect } from './StoreSelect';
import './alerts.css';

export interface AlertsPageProps {
  tenantId: string;
  /** The organisation's stores, for pausing one of them. */
  stores: { storeId: string; name: string }[];
  canAcknowledge: boolean;
  canPause: boolean;
  /** Admins write rules; everyone else reads them. */
  canEditRules?: boolean;
  /** Opens the editor on a new rule prefilled from a widget ("alert me when this…"). */
  draft?: RuleDraft | undefined;
  /** The alert a toast was clicked for: highlighted and scrolled to. */
  focused?: string | null | undefined;
  api?: AlertsApi;
}

const sections: { status: AlertStatus; title: string }[] = [
  { status: 'Firing', title: 'Firing' },
  { status: 'Acknowledged', title: 'Acknowledged' },
  { status: 'Resolved', title: 'Resolved' },
];

/** The organisation's alerts by state, acknowledging, and "pause all alerts until …" for a sale or maintenance. */
export function AlertsPage({ tenantId, stores, canAcknowledge, canPause, canEditRules = false, draft, focused, api = alertsApi }: AlertsPageProps) {
  const [alerts, setAlerts] = useState<AlertView[] | null>(null);
  const [pauses, setPauses] = useState<AlertPause[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api.list(tenantId).then(setAlerts, (e: Error) => setError(e.message));
    api.pauses(tenantId).then(setPauses, (e: Error) => setError(e.message));
  }, [api, tenantId]);
  useEffect(reload, [reload]);
  useEffect(() => {
    if (focused && alerts) document.getElementById(`alert-${focused}`)?.scrollIntoView?.({ block: 'center' });
  }, [focused, alerts]);

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
      <BrowserNotificationsToggle />
      <RulesSection tenantId={tenantId} stores={stores} canEdit={canEditRules} draft={draft} api={api} onError={setError} />
      {canEditRules && stores.length > 0 ? <TradingHoursSection tenantId={tenantId} stores={stores} api={api} onError={setError} /> : null}
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
                    <li key={a.id} id={`alert-${a.id}`} data-testid={`alert-${a.id}`} className={focused === a.id ? 'alerts-page__focused' : undefined}>
                      <strong>{a.ruleName}</strong> · {a.storeId} · <time dateTime={a.firedAt}>{new Date(a.firedAt).toLocaleString()}</time>
                      <div>{a.message}</div>
                      {a.acknowledgedAt ? <div className="alerts-page__meta">Acknowledged{a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}</div> : null}
                      {status === 'Firing' && canAcknowledge ? (
                        <button type="button" onClick={() => acknowledge(a.id)}>
                          Acknowledge
                        </button>
                      ) : null}
                      {status !== 'Resolved' ? (
                        <SnoozeControl tenantId={tenantId} alert={a} canSnooze={canAcknowledge} api={api} onChanged={reload} onError={setError} />
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
            <StoreSelect stores={stores} value={storeId} onChange={setStoreId} everyStore="every store" />
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

/** The rule's fields as the editor would send them, so enabling or disabling keeps everything else. */
export function requestOf(rule: AlertRuleView, changes: Partial<AlertRuleRequest> = {}): AlertRuleRequest {
  return {
    name: rule.name,
    kind: rule.kind,
    metric: rule.metric,
    direction: rule.direction,
    threshold: rule.threshold,
    windowMinutes: rule.windowMinutes,
    comparison: rule.comparison,
    minimumSeverity: rule.minimumSeverity,
    frequencyMinutes: rule.frequencyMinutes,
    recipients: rule.recipients,
    webhookUrl: rule.webhookUrl,
    inApp: rule.inApp,
    storeId: rule.storeId,
    channel: rule.channel,
    enabled: rule.enabled,
    duringTradingHours: rule.duringTradingHours ?? false,
    ...changes,
  };
}

function describe(rule: AlertRuleView): string {
  const kind = KINDS.find((k) => k.kind === rule.kind)?.label ?? rule.kind;
  const where = `${rule.storeId ?? 'every store'}${rule.channel ? ` · ${rule.channel}` : ''}`;
  return `${kind} · ${rule.kind === 'NoOrders' ? `${rule.windowMinutes} min` : rule.metric} · ${where}`;
}

/** The organisation's rules: create, edit, enable or disable and delete; each kind the plan lacks is said in the form. */
function RulesSection({
  tenantId,
  stores,
  canEdit,
  draft,
  api,
  onError,
}: {
  tenantId: string;
  stores: { storeId: string; name: string }[];
  canEdit: boolean;
  draft: RuleDraft | undefined;
  api: AlertsApi;
  onError: (message: string) => void;
}) {
  const [rules, setRules] = useState<AlertRuleView[] | null>(null);
  const [features, setFeatures] = useState<string[] | null>(null);
  // 'new', a rule id, or null: which editor is open.
  const [editing, setEditing] = useState<string | null>(draft && canEdit ? 'new' : null);
  const reload = useCallback(() => {
    api.rules(tenantId).then(setRules, (e: Error) => onError(e.message));
  }, [api, tenantId, onError]);
  useEffect(reload, [reload]);
  useEffect(() => {
    api.planFeatures(tenantId).then(
      (p) => setFeatures(p.features),
      () => setFeatures(null),
    );
  }, [api, tenantId]);
  // The draft comes from the address, re-read on every render: open the editor when its content changes, not its identity.
  const draftKey = draft ? JSON.stringify(draft) : '';
  useEffect(() => {
    if (draftKey && canEdit) setEditing('new');
  }, [draftKey, canEdit]);

  const act = async (call: () => Promise<unknown>) => {
    try {
      await call();
      reload();
    } catch (e) {
      onError((e as Error).message);
    }
  };
  const saved = () => {
    setEditing(null);
    // The widget's prefill has been used: a reload of the page should not open it again.
    if (draftKey && typeof window !== 'undefined') window.history.replaceState(window.history.state, '', window.location.pathname);
    reload();
  };
  const broken = (rules ?? []).filter((r) => r.cannotEvaluate);
  return (
    <section aria-labelledby="alerts-rules" className="alerts-page__rules" data-testid="alert-rules">
      {canEdit && broken.length > 0 ? (
        <div className="alerts-page__broken" role="status" data-testid="rules-cannot-evaluate">
          <strong>
            {broken.length === 1 ? 'One rule cannot be evaluated' : `${broken.length} rules cannot be evaluated`}
          </strong>
          <ul>
            {broken.map((r) => (
              <li key={r.id}>
                {r.name}: {r.cannotEvaluate}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <h2 id="alerts-rules">Rules</h2>
      {rules === null ? <p>Loading…</p> : null}
      {rules?.length === 0 ? <p className="alerts-page__empty">No rules yet.</p> : null}
      <ul className="alerts-page__list">
        {(rules ?? []).map((r) => (
          <li key={r.id} data-testid={`rule-${r.id}`}>
            {editing === r.id ? (
              <RuleEditor tenantId={tenantId} stores={stores} features={features} rule={r} api={api} onSaved={saved} onCancel={() => setEditing(null)} />
            ) : (
              <>
                <strong>{r.name}</strong> {r.enabled ? null : <span className="alerts-page__meta">(disabled)</span>}
                <div className="alerts-page__meta">{describe(r)}</div>
                {r.pausedReason ? <div className="alerts-page__meta">{r.pausedReason}</div> : null}
                {r.cannotEvaluate ? (
                  <div className="alerts-page__warning" data-testid={`rule-cannot-evaluate-${r.id}`}>
                    Cannot be evaluated: {r.cannotEvaluate}
                  </div>
                ) : null}
                {canEdit ? (
                  <div>
                    <button type="button" onClick={() => setEditing(r.id)}>
                      Edit
                    </button>{' '}
                    <button type="button" onClick={() => act(() => api.updateRule(tenantId, r.id, requestOf(r, { enabled: !r.enabled })))}>
                      {r.enabled ? 'Disable' : 'Enable'}
                    </button>{' '}
                    <button type="button" onClick={() => act(() => api.deleteRule(tenantId, r.id))}>
                      Delete
                    </button>
                  </div>
                ) : null}
              </>
            )}
          </li>
        ))}
      </ul>
      {canEdit && editing === 'new' ? (
        <RuleEditor tenantId={tenantId} stores={stores} features={features} draft={draft} api={api} onSaved={saved} onCancel={() => setEditing(null)} />
      ) : null}
      {canEdit && editing !== 'new' ? (
        <button type="button" onClick={() => setEditing('new')}>
          New rule
        </button>
      ) : null}
    </section>
  );
}

/** "Snooze until …" for one open alert, or the running snooze and a way to end it. */
function SnoozeControl({
  tenantId,
  alert,
  canSnooze,
  api,
  onChanged,
  onError,
}: {
  tenantId: string;
  alert: AlertView;
  canSnooze: boolean;
  api: AlertsApi;
  onChanged: () => void;
  onError: (message: string) => void;
}) {
  const [until, setUntil] = useState('');
  const run = async (call: () => Promise<unknown>) => {
    try {
      await call();
      onChanged();
    } catch (err) {
      onError((err as Error).message);
    }
  };
  if (alert.snoozedUntil) {
    return (
      <div className="alerts-page__meta" data-testid={`snoozed-${alert.id}`}>
        Snoozed until <time dateTime={alert.snoozedUntil}>{new Date(alert.snoozedUntil).toLocaleString()}</time>{' '}
        {canSnooze ? (
          <button type="button" onClick={() => run(() => api.unsnooze(tenantId, alert.id))}>
            Wake now
          </button>
        ) : null}
      </div>
    );
  }
  if (!canSnooze) return null;
  return (
    <form
      className="alerts-page__form"
      aria-label={`Snooze ${alert.ruleName}`}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        // datetime-local is the person's own time; the server takes an instant.
        void run(() => api.snooze(tenantId, alert.id, new Date(until).toISOString()));
      }}
    >
      <label>
        Snooze until <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} required />
      </label>
      <button type="submit">Snooze</button>
    </form>
  );
}

/** Browser notifications: off until the person clicks here, which is the only place the browser's permission is asked. */
function BrowserNotificationsToggle() {
  const [state, setState] = useState<BrowserNotificationState>(() => browserNotificationState());
  if (state === 'unsupported') return null;
  return (
    <p className="alerts-page__meta" data-testid="browser-notifications">
      {state === 'on' ? 'Browser notifications are on in this browser. ' : null}
      {state === 'denied' ? 'This browser blocks notifications from this site; allow them in its site settings to get them. ' : null}
      {state === 'off' ? (
        <button type="button" onClick={() => void enableBrowserNotifications().then(setState)}>
          Turn on browser notifications
        </button>
      ) : null}
      {state === 'on' ? (
        <button type="button" onClick={() => setState(disableBrowserNotifications())}>
          Turn off
        </button>
      ) : null}
    </p>
  );
}

/** Each store's trading hours: the default no-orders rule counts silence only inside them. */
function TradingHoursSection({
  tenantId,
  stores,
  api,
  onError,
}: {
  tenantId: string;
  stores: { storeId: string; name: string }[];
  api: AlertsApi;
  onError: (message: string) => void;
}) {
  const [storeId, setStoreId] = useState(stores[0]?.storeId ?? '');
  const [hours, setHours] = useState<TradingHoursView | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!storeId) return;
    setSaved(false);
    api.tradingHours(tenantId, storeId).then(setHours, (e: Error) => onError(e.message));
  }, [api, tenantId, storeId, onError]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!hours) return;
    try {
      setHours(await api.setTradingHours(tenantId, storeId, { opens: hours.opens, closes: hours.closes }));
      setSaved(true);
    } catch (err) {
      onError((err as Error).message);
    }
  };
  return (
    <section aria-labelledby="alerts-trading-hours" className="alerts-page__pause">
      <h2 id="alerts-trading-hours">Trading hours</h2>
      <form className="alerts-page__form" onSubmit={save} aria-label="Trading hours">
        <label>
          Store{' '}
          <StoreSelect stores={stores} value={storeId} onChange={setStoreId} />
        </label>
        {hours ? (
          <>
            <label>
              opens <input type="time" value={hours.opens} onChange={(e) => setHours({ ...hours, opens: e.target.value })} required />
            </label>
            <label>
              closes <input type="time" value={hours.closes} onChange={(e) => setHours({ ...hours, closes: e.target.value })} required />
            </label>
            <span className="alerts-page__meta">{hours.timeZone}</span>
            <button type="submit">Save hours</button>
            {saved ? <span role="status">Saved.</span> : null}
          </>
        ) : null}
      </form>
    </section>
  );
}
