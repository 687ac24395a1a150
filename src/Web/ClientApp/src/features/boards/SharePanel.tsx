import { useCallback, useEffect, useId, useState } from 'react';
import { formatLocalDate } from '../../lib/format';
import { useBoardsServices } from './services';
import type { ShareLink, ShareLinkCreated } from './types';

export interface SharePanelProps {
  tenantId: string;
  boardId: string;
  onClose: () => void;
}

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Read-only links for TVs. A new link's address is shown once (the server keeps only a hash of it);
 * a link may stop working at a chosen time, any link can be switched off here, and a TV showing it stops at once.
 */
export function SharePanel({ tenantId, boardId, onClose }: SharePanelProps) {
  const { api } = useBoardsServices();
  const id = useId();
  const [links, setLinks] = useState<ShareLink[] | null>(null);
  const [created, setCreated] = useState<ShareLinkCreated | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A local date and time from the input ("2026-12-01T18:00"), or empty for a link without an end.
  const [expires, setExpires] = useState('');

  const reload = useCallback(
    (signal?: AbortSignal) =>
      api
        .shareLinks(tenantId, boardId, signal)
        .then(setLinks)
        .catch((e: unknown) => {
          if (!signal?.aborted) setError(describeError(e));
        }),
    [api, tenantId, boardId],
  );

  useEffect(() => {
    const abort = new AbortController();
    void reload(abort.signal);
    return () => abort.abort();
  }, [reload]);

  const create = async () => {
    setError(null);
    try {
      setCreated(await api.share(tenantId, boardId, expires ? new Date(expires).toISOString() : null));
      await reload();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const revoke = async (linkId: string) => {
    setError(null);
    try {
      await api.revoke(tenantId, boardId, linkId);
      if (created?.id === linkId) setCreated(null);
      await reload();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const absolute = created ? new URL(created.url, window.location.origin).toString() : null;

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="share-panel">
      <header className="panel__header">
        <h2 id={`${id}-title`}>Share to a TV</h2>
        <button type="button" onClick={onClose}>
          Done
        </button>
      </header>
      <p className="panel__hint">Anyone with a link sees this dashboard live, read-only, without signing in.</p>
      <label className="share-expiry">
        <span>Stops working (optional)</span>
        <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} data-testid="share-expires" />
      </label>
      <button type="button" className="primary" onClick={() => void create()}>
        Create a wallboard link
      </button>
      {absolute ? (
        <div className="share-new">
          <label>
            <span>New link (shown once — copy it now)</span>
            <input type="text" readOnly value={absolute} data-testid="share-url" onFocus={(e) => e.target.select()} />
          </label>
          <a href={created!.url} target="_blank" rel="noreferrer">
            Open wallboard
          </a>
        </div>
      ) : null}
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      <h3 className="panel__subheading">Links</h3>
      {links === null ? (
        <p className="panel__hint">Loading…</p>
      ) : links.length === 0 ? (
        <p className="panel__hint">No links yet.</p>
      ) : (
        <ul className="share-links" data-testid="share-links">
          {links.map((link) => (
            <li key={link.id} data-link-id={link.id}>
              <span>
                Created {formatLocalDate(link.createdAt.slice(0, 10))} {link.createdAt.slice(11, 16)} UTC
                {link.revokedAt ? <strong> · switched off</strong> : null}
                {!link.revokedAt && link.expiresAt ? (
                  <span>
                    {' '}
                    · {Date.parse(link.expiresAt) <= Date.now() ? 'expired' : 'stops'} {formatLocalDate(link.expiresAt.slice(0, 10))}{' '}
                    {link.expiresAt.slice(11, 16)} UTC
                  </span>
                ) : null}
              </span>
              {link.revokedAt ? null : (
                <button type="button" onClick={() => void revoke(link.id)}>
                  Switch off
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
