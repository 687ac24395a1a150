import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { hasRole } from '../auth/session';
import { organisationApi, roles, type ApiKey, type ApiKeyCreated, type Invitation, type Member, type Organisation, type ReconnectedStore, type RotatedSecret, type Role, type StoreInfo } from './api';
import './organisation.css';

interface Props {
  tenantId: string;
  /** Called after a store is created, so the shell's store list and switcher show it. */
  onStoreCreated: (store: { tenantId: string; storeId: string }) => void;
}

function useLoad<T>(load: () => Promise<T>): [T | null, string | null, () => void] {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && (setValue(v), setError(null)),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [load, version]);
  return [value, error, () => setVersion((v) => v + 1)];
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="org__section" aria-labelledby={`org-${title}`}>
      <h2 id={`org-${title}`}>{title}</h2>
      {children}
    </section>
  );
}

/** Settings of one organisation; what a role cannot change is not offered. */
export function OrganisationPage({ tenantId, onStoreCreated }: Props) {
  const [org, orgError] = useLoad(useCallback(() => organisationApi.get(tenantId), [tenantId]));
  if (orgError) return <main className="org"><p role="alert">{orgError}</p></main>;
  if (!org) return <main className="org"><p>Loading…</p></main>;
  const admin = hasRole(org.role ?? undefined, 'Admin');
  return (
    <main className="org">
      <h1>{org.name}</h1>
      <p className="org__meta">
        {org.plan} plan · {org.timeZone} · {org.reportingCurrency} · you are {org.role}
      </p>
      {admin ? (
        <>
          <p>
            <a href={`/api/tenants/${encodeURIComponent(tenantId)}/exports/full`} download aria-label={`Download all of ${org.name}'s data`}>
              Download all data
            </a>{' '}
            — a ZIP of CSV files: stores, dashboards, alert rules, and every store's per-minute figures, orders, lines and refunds.
          </p>
          <ManageStoresSection tenantId={tenantId} />
          <StoresSection tenantId={tenantId} org={org} onStoreCreated={onStoreCreated} />
          <MembersSection tenantId={tenantId} myRole={org.role ?? 'Viewer'} />
          <InvitationsSection tenantId={tenantId} myRole={org.role ?? 'Viewer'} />
          <ApiKeysSection tenantId={tenantId} />
        </>
      ) : (
        <p>Members, invitations, stores and API keys are managed by the organisation's admins.</p>
      )}
    </main>
  );
}

/**
 * Each store's name, time zone and currency, and its webhook secret. What a change means for history is said beside
 * the form, as the server applies it (src/Web/Stores/StoresApi.cs UpdateAsync).
 */
function ManageStoresSection({ tenantId }: { tenantId: string }) {
  const [stores, error, reload] = useLoad(useCallback(() => organisationApi.stores(tenantId), [tenantId]));
  const [editing, setEditing] = useState<StoreInfo | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [rotated, setRotated] = useState<RotatedSecret | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    setProblem(null);
    try {
      await organisationApi.updateStore(tenantId, editing.storeId, { name: editing.name, timeZone: editing.timeZone, currency: editing.currency });
      setEditing(null);
      reload();
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  const rotate = async (store: StoreInfo) => {
    setProblem(null);
    try {
      setRotated(await organisationApi.rotateWebhookSecret(tenantId, store.storeId));
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  const [reconnected, setReconnected] = useState<ReconnectedStore | null>(null);
  const [deleting, setDeleting] = useState<StoreInfo | null>(null);
  const [typed, setTyped] = useState('');
  const [deletedName, setDeletedName] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await work();
      reload();
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  const remove = async (event: FormEvent) => {
    event.preventDefault();
    if (!deleting) return;
    const store = deleting;
    await act(async () => {
      await organisationApi.deleteStore(tenantId, store.storeId, typed);
      setDeleting(null);
      setTyped('');
      setDeletedName(store.name);
    });
  };
  const set = (key: 'name' | 'timeZone' | 'currency') => (e: { target: { value: string } }) =>
    setEditing((s) => (s ? { ...s, [key]: e.target.value } : s));
  return (
    <Section title="Stores">
      {error ? <p role="alert">{error}</p> : null}
      {problem ? <p role="alert" className="org__error">{problem}</p> : null}
      {rotated ? (
        <p role="status" data-testid="rotated-secret">
          New webhook secret of {rotated.storeId}: <code>{rotated.webhookSecret}</code> — paste it into the shop's webhook settings. It is shown only now; the
          old one is still accepted until {new Date(rotated.previousSecretAcceptedUntil).toISOString().replace('T', ' ').slice(0, 16)} UTC.
        </p>
      ) : null}
      {reconnected ? (
        <p role="status" data-testid="reconnected-store">
          {reconnected.storeId} is connected again.{' '}
          {reconnected.webhookSecret ? (
            <>
              Its new webhook secret: <code>{reconnected.webhookSecret}</code> — paste it into the shop's webhook settings; it is shown only now, and the
              old one no longer works.
            </>
          ) : (
            'Its webhook secret is the one set in configuration.'
          )}
        </p>
      ) : null}
      {deletedName ? <p role="status" data-testid="deleted-store">{deletedName} and all its data were deleted.</p> : null}
      <table className="org__table" data-testid="org-stores">
        <thead><tr><th>Store</th><th>Channel</th><th>Currency</th><th>Time zone</th><th>Status</th><th /></tr></thead>
        <tbody>
          {(stores ?? []).map((s) => (
            <tr key={s.storeId}>
              <td>{s.name} <small>({s.storeId})</small></td>
              <td>{s.channel}</td>
              <td>{s.currency}</td>
              <td>{s.timeZone}</td>
              <td>{s.disconnectedAt ? <span className="org__status--off">Disconnected</span> : 'Connected'}</td>
              <td>
                <button type="button" onClick={() => setEditing({ ...s })} aria-label={`Edit ${s.name}`}>Edit</button>{' '}
                <button type="button" onClick={() => void rotate(s)} aria-label={`Rotate the webhook secret of ${s.name}`}>Rotate webhook secret</button>{' '}
                {s.disconnectedAt ? (
                  <button type="button" aria-label={`Reconnect ${s.name}`}
                    onClick={() => void act(async () => setReconnected(await organisationApi.reconnectStore(tenantId, s.storeId)))}>
                    Reconnect
                  </button>
                ) : (
                  <button type="button" aria-label={`Disconnect ${s.name}`} onClick={() => void act(() => organisationApi.disconnectStore(tenantId, s.storeId))}>
                    Disconnect
                  </button>
                )}{' '}
                <button type="button" aria-label={`Delete ${s.name}`} onClick={() => (setDeleting(s), setTyped(''), setDeletedName(null))}>Delete…</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? (
        <form className="org__form" onSubmit={save} aria-label={`Edit ${editing.storeId}`}>
          <label>Store name<input required maxLength={100} value={editing.name} onChange={set('name')} /></label>
          <label>Time zone<input required value={editing.timeZone} onChange={set('timeZone')} /></label>
          <label>Currency<input required maxLength={3} value={editing.currency} onChange={set('currency')} /></label>
          <p className="org__meta">
            History keeps every figure by its UTC minute, so a new time zone re-buckets past figures into the new zone's days and hours: totals stay, and
            a late-evening order may move to the next or previous day. Amounts are kept as recorded and never converted, so the currency can change
            only while the store has recorded no sales.
          </p>
          <button type="submit">Save store</button>{' '}
          <button type="button" onClick={() => setEditing(null)}>Cancel</button>
        </form>
      ) : null}
      {deleting ? (
        <form className="org__form org__danger" onSubmit={remove} aria-label={`Delete ${deleting.storeId}`}>
          <p>
            Deleting <strong>{deleting.name}</strong> removes it and all its data for good: its live figures, history, imports, alerts and goals, and its
            place in reports. It cannot be undone; the audit log keeps who deleted it and when. To keep its history but take no more data, disconnect it
            instead.
          </p>
          <label>
            Type the store's name ({deleting.name}) to confirm
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </label>
          <button type="submit" disabled={typed !== deleting.name}>Delete store and data</button>{' '}
          <button type="button" onClick={() => setDeleting(null)}>Cancel</button>
        </form>
      ) : null}
    </Section>
  );
}

function StoresSection({ tenantId, org, onStoreCreated }: { tenantId: string; org: Organisation; onStoreCreated: Props['onStoreCreated'] }) {
  const [form, setForm] = useState({ name: '', shopDomain: '', currency: org.reportingCurrency, timeZone: org.timeZone, webhookSecret: '', channel: 'Shopify' });
  const [error, setError] = useState<string | null>(null);
  const field = (name: keyof typeof form) => ({ value: form[name], onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value })) });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      onStoreCreated(await organisationApi.createStore(tenantId, form));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Section title="Add a store">
      <form className="org__form" onSubmit={submit}>
        <label>Store name<input required {...field('name')} /></label>
        <label>Shop domain<input required placeholder="my-shop.myshopify.com" {...field('shopDomain')} /></label>
        <label>Currency<input required maxLength={3} {...field('currency')} /></label>
        <label>Time zone<input required {...field('timeZone')} /></label>
        <label>Webhook secret<input required minLength={8} {...field('webhookSecret')} /></label>
        {error ? <p role="alert" className="org__error">{error}</p> : null}
        <button type="submit">Add store</button>
      </form>
    </Section>
  );
}

function MembersSection({ tenantId, myRole }: { tenantId: string; myRole: Role }) {
  const [members, error, reload] = useLoad(useCallback(() => organisationApi.members(tenantId), [tenantId]));
  const [problem, setProblem] = useState<string | null>(null);
  const act = (work: Promise<unknown>) => work.then(reload, (e: Error) => setProblem(e.message));
  // Only an Owner makes or unmakes Owners; the server says so too, this only hides what would be refused.
  const offered = (m: Member) => roles.filter((r) => myRole === 'Owner' || (r !== 'Owner' && m.role !== 'Owner'));
  return (
    <Section title="Members">
      {error ? <p role="alert">{error}</p> : null}
      {problem ? <p role="alert" className="org__error">{problem}</p> : null}
      <table className="org__table">
        <thead><tr><th>Name</th><th>E-mail</th><th>Role</th><th /></tr></thead>
        <tbody>
          {(members ?? []).map((m) => (
            <tr key={m.userId}>
              <td>{m.displayName}</td>
              <td>{m.email}</td>
              <td>
                {offered(m).length > 1 ? (
                  <select aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => act(organisationApi.changeRole(tenantId, m.userId, e.target.value as Role))}>
                    {offered(m).map((r) => <option key={r}>{r}</option>)}
                  </select>
                ) : m.role}
              </td>
              <td>
                {m.role !== 'Owner' || myRole === 'Owner' ? (
                  <button type="button" onClick={() => act(organisationApi.removeMember(tenantId, m.userId))}>Remove</button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function InvitationsSection({ tenantId, myRole }: { tenantId: string; myRole: Role }) {
  const [invitations, error, reload] = useLoad(useCallback(() => organisationApi.invitations(tenantId), [tenantId]));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('Viewer');
  const [note, setNote] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const sent = await organisationApi.invite(tenantId, email, role);
      setNote(sent.emailed ? `Invitation e-mailed to ${sent.email}.` : `No mail server is set up: send ${sent.email} this link: ${sent.acceptUrl}`);
      setEmail('');
      reload();
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  return (
    <Section title="Invitations">
      <form className="org__form org__form--inline" onSubmit={submit}>
        <label>E-mail<input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.filter((r) => r !== 'Owner' || myRole === 'Owner').map((r) => <option key={r}>{r}</option>)}
          </select>
        </label>
        <button type="submit">Invite</button>
      </form>
      {note ? <p role="status">{note}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      <ul className="org__list">
        {(invitations ?? []).map((i: Invitation) => (
          <li key={i.id}>
            {i.email} · {i.role} · {i.status}{' '}
            {i.status === 'Pending' ? (
              <button type="button" onClick={() => organisationApi.revokeInvitation(tenantId, i.id).then(reload)}>Revoke</button>
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function ApiKeysSection({ tenantId }: { tenantId: string }) {
  const [keys, error, reload] = useLoad(useCallback(() => organisationApi.apiKeys(tenantId), [tenantId]));
  const [name, setName] = useState('');
  const [write, setWrite] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    try {
      setCreated(await organisationApi.createApiKey(tenantId, name, write ? ['read', 'write'] : ['read']));
      setName('');
      reload();
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  return (
    <Section title="API keys">
      <form className="org__form org__form--inline" onSubmit={submit}>
        <label>Name<input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label className="org__check"><input type="checkbox" checked={write} onChange={(e) => setWrite(e.target.checked)} /> Can make changes (write)</label>
        <button type="submit">Create key</button>
      </form>
      {problem ? <p role="alert" className="org__error">{problem}</p> : null}
      {created ? (
        <p role="status" className="org__secret">
          Copy this key now; it is not shown again: <code>{created.key}</code>
        </p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      <table className="org__table">
        <thead><tr><th>Name</th><th>Key</th><th>Scopes</th><th>Last used</th><th /></tr></thead>
        <tbody>
          {(keys ?? []).map((k: ApiKey) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td><code>{k.prefix}_…</code></td>
              <td>{k.scopes.join(', ')}</td>
              <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}</td>
              <td>
                {k.revokedAt ? 'revoked' : <button type="button" onClick={() => organisationApi.revokeApiKey(tenantId, k.id).then(reload)}>Revoke</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
