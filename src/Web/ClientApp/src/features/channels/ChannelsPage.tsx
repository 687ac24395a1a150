import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { StoreKey } from '../../lib/types';
import { ChannelInsights } from '../insights/ChannelInsights';
import { ChannelApiError, channelsApi, type ChannelsApi } from './api';
import { Shipments } from './Shipments';
import { fieldsFor, initialState, needsAttention, serverErrors, statusLines, toRequest, validate, type FormState } from './channelForm';
import type { ChannelCatalogEntry, ChannelConnectionView, ChannelSyncStatus, ConnectionCheck } from './types';
import './channels.css';

/** How often an open page re-reads sync status: a poll or webhook changes it without the page doing anything. */
const statusRefreshMs = 5000;

export interface ChannelsPageProps {
  store: StoreKey;
  storeName?: string;
  api?: ChannelsApi;
}

/** A store's channels: connect each with its own form, test it, sync it, watch its status; then its shipments and the channel comparison. */
export function ChannelsPage({ store, storeName, api = channelsApi }: ChannelsPageProps) {
  const [catalog, setCatalog] = useState<ChannelCatalogEntry[] | null>(null);
  const [connections, setConnections] = useState<Record<string, ChannelConnectionView>>({});
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    async (signal?: AbortSignal) => {
      const list = await api.list(store.tenantId, store.storeId, signal);
      setConnections(Object.fromEntries(list.map((c) => [c.channel, c])));
    },
    [api, store.tenantId, store.storeId],
  );

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([api.catalog(abort.signal), reload(abort.signal)])
      .then(([entries]) => setCatalog(entries))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [api, reload]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      reload().catch(() => {
        // A missed refresh shows the previous status; the next one tries again.
      });
    }, statusRefreshMs);
    return () => window.clearInterval(timer);
  }, [reload]);

  return (
    <main className="channels-page">
      <h1>Channels · {storeName ?? store.storeId}</h1>
      {error ? <p role="alert">Could not load the channels: {error}</p> : null}
      {catalog === null && !error ? <p>Loading channels…</p> : null}
      <div className="channels-page__list">
        {catalog?.map((entry) => (
          <ChannelCard
            key={entry.channel}
            store={store}
            entry={entry}
            connection={connections[entry.channel]}
            api={api}
            onSaved={(view) => setConnections((all) => ({ ...all, [view.channel]: view }))}
            onStatus={(channel, status) =>
              setConnections((all) => {
                const held = all[channel];
                return held ? { ...all, [channel]: { ...held, status } } : all;
              })
            }
          />
        ))}
      </div>
      <Shipments store={store} api={api} />
      <ChannelInsights tenantId={store.tenantId} />
    </main>
  );
}

interface ChannelCardProps {
  store: StoreKey;
  entry: ChannelCatalogEntry;
  connection: ChannelConnectionView | undefined;
  api: ChannelsApi;
  onSaved: (view: ChannelConnectionView) => void;
  onStatus: (channel: string, status: ChannelSyncStatus) => void;
}

function ChannelCard({ store, entry, connection, api, onSaved, onStatus }: ChannelCardProps) {
  const [form, setForm] = useState<FormState>(() => initialState(entry, connection));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'save' | 'test' | 'sync' | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  const fields = fieldsFor(entry, connection);
  const slug = entry.channel.toLowerCase();

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate(entry, connection, form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy('save');
    setMessage(null);
    try {
      const view = await api.save(store.tenantId, store.storeId, entry.channel, toRequest(entry, form));
      onSaved(view);
      // Typed secrets are gone once saved: the inputs go back to empty and say "saved".
      setForm(initialState(entry, view));
      setMessage('Saved.');
    } catch (e) {
      if (e instanceof ChannelApiError) setErrors(serverErrors(e.fieldErrors));
      setMessage(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  const test = async () => {
    setBusy('test');
    setCheck(null);
    try {
      setCheck(await api.test(store.tenantId, store.storeId, entry.channel));
    } catch (e) {
      setCheck({ ok: false, detail: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(null);
    }
  };

  const sync = async () => {
    setBusy('sync');
    try {
      onStatus(entry.channel, await api.sync(store.tenantId, store.storeId, entry.channel));
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="channel-card" data-testid={`channel-${slug}`} aria-labelledby={`channel-${slug}-title`}>
      <header className="channel-card__header">
        <h2 id={`channel-${slug}-title`}>{entry.channel}</h2>
        <span className="channel-card__kind">{entry.kind === 'webhook' ? 'Webhook' : 'Polled'}</span>
        <span className="channel-card__connected">{connection ? 'Connected' : 'Not connected'}</span>
      </header>
      <p className="channel-card__description">{entry.description}</p>
      {connection?.webhookPath ? (
        <p>
          Webhook address: <code>{connection.webhookPath}</code>
        </p>
      ) : null}
      <form onSubmit={save} noValidate>
        {fields.map((field) => (
          <label key={field.id} className="channel-card__field">
            <span>
              {field.label}
              {field.required ? ' *' : ''}
            </span>
            <input
              name={field.id}
              type={field.secret ? 'password' : 'text'}
              autoComplete={field.secret ? 'new-password' : 'off'}
              placeholder={field.saved ? 'saved' : ''}
              value={form.values[field.id] ?? ''}
              aria-invalid={errors[field.id] ? true : undefined}
              onChange={(e) => {
                const value = e.target.value;
                setForm((f) => ({ ...f, values: { ...f.values, [field.id]: value } }));
              }}
            />
            {field.saved ? <small className="channel-card__saved">saved — leave empty to keep</small> : null}
            {errors[field.id] ? <small role="alert">{errors[field.id]}</small> : null}
          </label>
        ))}
        {entry.kind === 'poller' ? (
          <label className="channel-card__field">
            <span>Poll every (seconds)</span>
            <input
              name="pollIntervalSeconds"
              inputMode="numeric"
              value={form.pollIntervalSeconds}
              placeholder="300"
              onChange={(e) => {
                const value = e.target.value;
                setForm((f) => ({ ...f, pollIntervalSeconds: value }));
              }}
            />
            {errors.pollIntervalSeconds ? <small role="alert">{errors.pollIntervalSeconds}</small> : null}
          </label>
        ) : null}
        <label className="channel-card__toggle">
          <input type="checkbox" checked={form.enabled} onChange={(e) => setForm((f) => ({ ...f, enabled: e.target.checked }))} />
          Enabled
        </label>
        <div className="channel-card__actions">
          <button type="submit" disabled={busy !== null}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={test} disabled={busy !== null || !connection}>
            {busy === 'test' ? 'Testing…' : 'Test connection'}
          </button>
          {entry.kind === 'poller' ? (
            <button type="button" onClick={sync} disabled={busy !== null || !connection}>
              {busy === 'sync' ? 'Syncing…' : 'Sync now'}
            </button>
          ) : null}
        </div>
        {message ? <p className="channel-card__message">{message}</p> : null}
        {check ? (
          <p
            className={check.ok ? 'channel-card__check channel-card__check--ok' : 'channel-card__check channel-card__check--failed'}
            data-testid={`channel-${slug}-check`}
            role={check.ok ? 'status' : 'alert'}
          >
            {check.ok ? 'Connection OK: ' : 'Connection failed: '}
            {check.detail}
          </p>
        ) : null}
      </form>
      {connection ? <StatusPanel slug={slug} kind={entry.kind} status={connection.status} /> : null}
    </section>
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function StatusPanel({ slug, kind, status }: { slug: string; kind: string; status: ChannelSyncStatus }) {
  return (
    <dl className={needsAttention(status) ? 'channel-status channel-status--attention' : 'channel-status'} data-testid={`channel-${slug}-status`}>
      {statusLines(status, kind, (iso) => timeFormat.format(new Date(iso))).map((line) => (
        <div key={line.label}>
          <dt>{line.label}</dt>
          <dd>{line.value}</dd>
        </div>
      ))}
    </dl>
  );
}
