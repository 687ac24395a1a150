import { useCallback, useState } from 'react';
import type { StoreKey } from '../../lib/types';
import { ProblemError, send } from '../../lib/http';
import { CsvButton } from '../../lib/csv/CsvButton';
import { errorText, useReload } from '../../lib/useReload';
import '../plan/settings.css';

/** One event the store could not count, as GET /api/tenants/{t}/stores/{s}/quarantine lists it. */
export interface QuarantineEntry {
  id: string;
  eventId: string;
  kind: string;
  channel: string;
  field: string;
  reason: string;
  quarantinedAt: string;
  occurredAt: string;
  payload: string;
}

function quarantineApi(store: StoreKey, rest = ''): string {
  return `/api/tenants/${encodeURIComponent(store.tenantId)}/stores/${encodeURIComponent(store.storeId)}/quarantine${rest}`;
}

/** The events a store held aside instead of counting; an Admin retries one after a fix, or discards it. */
export function QuarantinePage({ store, storeName }: { store: StoreKey; storeName?: string }) {
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const { data: entries, error, setError, reload: load } = useReload<QuarantineEntry[]>(
    useCallback(() => send<QuarantineEntry[]>('GET', quarantineApi(store)), [store]),
  );

  async function act(entry: QuarantineEntry, action: 'retry' | 'discard') {
    try {
      const result = await send<{ outcome: string } | undefined>('POST', quarantineApi(store, `/${encodeURIComponent(entry.id)}/${action}`));
      setNotice(action === 'retry' ? `${entry.eventId}: ${result?.outcome ?? 'done'}` : `${entry.eventId}: discarded`);
      setError(null);
    } catch (e) {
      // 422: it still fails with the code running now; the server names the field.
      const field = e instanceof ProblemError && typeof e.extensions.field === 'string' ? ` (${e.extensions.field})` : '';
      setError(`${entry.eventId}: ${errorText(e)}${field}`);
      setNotice(null);
    }
    await load();
  }

  return (
    <section className="settings" aria-labelledby="quarantine-title">
      <h1 id="quarantine-title">Quarantine{storeName ? ` — ${storeName}` : ''}</h1>
      <p>Events this store received but could not count, with the field that is wrong. Retry one after a fix, or discard it.</p>
      {error ? <p role="alert">{error}</p> : null}
      {notice ? <p role="status">{notice}</p> : null}
      {entries === null && !error ? <p>Loading…</p> : null}
      {entries !== null && entries.length === 0 ? <p>Nothing in quarantine.</p> : null}
      {entries !== null && entries.length > 0 ? <CsvButton tableId="quarantine-table" name={`Quarantine of ${storeName ?? 'the store'}`} /> : null}
      {entries !== null && entries.length > 0 ? (
        <table id="quarantine-table" data-testid="quarantine-table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Kind</th>
              <th scope="col">Field</th>
              <th scope="col">Reason</th>
              <th scope="col">Held since</th>
              <th scope="col" data-csv="skip">Actions</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(open === entry.id ? null : entry.id)} aria-expanded={open === entry.id}>
                    {entry.eventId}
                  </button>
                  {open === entry.id ? <pre aria-label={`Payload of ${entry.eventId}`}>{entry.payload}</pre> : null}
                </td>
                <td>
                  {entry.kind} ({entry.channel})
                </td>
                <td>
                  <code>{entry.field}</code>
                </td>
                <td>{entry.reason}</td>
                <td>{new Date(entry.quarantinedAt).toLocaleString()}</td>
                <td>
                  <button type="button" onClick={() => void act(entry, 'retry')}>
                    Retry
                  </button>{' '}
                  <button type="button" onClick={() => void act(entry, 'discard')}>
                    Discard
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
