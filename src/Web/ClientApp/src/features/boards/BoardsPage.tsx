import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { boardPath, wallPath } from '../../app/routing';
import { formatLocalDate } from '../../lib/format';
import { useBoardsServices } from './services';
import type { BoardSummary } from './types';

export interface BoardsPageProps {
  tenantId: string;
  navigate: (path: string) => void;
  /** False for Viewers: creating, renaming, duplicating, deleting and wallboard links are not offered (the API refuses them too). */
  canEdit?: boolean;
}

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An organisation's dashboards: create, open, rename, duplicate, delete, and build a rotating wallboard link. */
export function BoardsPage({ tenantId, navigate, canEdit = true }: BoardsPageProps) {
  const { api } = useBoardsServices();
  const [boards, setBoards] = useState<BoardSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [rotation, setRotation] = useState<Set<string>>(new Set());
  const [seconds, setSeconds] = useState(30);
  const [wallUrl, setWallUrl] = useState<string | null>(null);

  const reload = useCallback(
    (signal?: AbortSignal) =>
      api
        .list(tenantId, signal)
        .then((list) => {
          setBoards(list);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!signal?.aborted) setError(describeError(e));
        }),
    [api, tenantId],
  );

  useEffect(() => {
    document.title = 'Dashboards · SalesDash';
    const abort = new AbortController();
    void reload(abort.signal);
    return () => abort.abort();
  }, [reload]);

  const run = async (action: () => Promise<unknown>) => {
    try {
      await action();
      await reload();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (!name) return;
    try {
      const created = await api.create(tenantId, { name, layout: [], widgets: [] });
      form.reset();
      navigate(boardPath(tenantId, created.id));
    } catch (e) {
      setError(describeError(e));
    }
  };

  const rename = (board: BoardSummary) => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    setRenaming(null);
    if (!name || name === board.name) return;
    await run(async () => {
      const full = await api.get(tenantId, board.id);
      await api.save(tenantId, board.id, { name, layout: full.layout, widgets: full.widgets });
    });
  };

  const buildWall = async () => {
    try {
      const chosen = (boards ?? []).filter((b) => rotation.has(b.id));
      const links = await Promise.all(chosen.map((b) => api.share(tenantId, b.id)));
      setWallUrl(new URL(wallPath(links.map((l) => l.token), chosen.length > 1 ? seconds : undefined), window.location.origin).toString());
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <main className="boards-page">
      <h1>Dashboards</h1>
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}

      {canEdit ? (
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <label htmlFor="new-board-name">New dashboard</label>
        <input id="new-board-name" name="name" maxLength={80} required placeholder="e.g. Black Friday" />
        <button type="submit" className="primary">
          Create
        </button>
      </form>
      ) : null}

      {boards === null ? (
        <p className="notice">Loading dashboards…</p>
      ) : boards.length === 0 ? (
        <p className="notice">No dashboards yet. Create one and drag widgets onto it.</p>
      ) : (
        <ul className="boards-list" data-testid="boards-list">
          {boards.map((board) => (
            <li key={board.id} className="boards-list__item" data-board-id={board.id}>
              {renaming === board.id ? (
                <form className="inline-form" onSubmit={(e) => void rename(board)(e)}>
                  <label className="visually-hidden" htmlFor={`rename-${board.id}`}>
                    New name for {board.name}
                  </label>
                  <input id={`rename-${board.id}`} name="name" defaultValue={board.name} maxLength={80} required autoFocus />
                  <button type="submit">Save name</button>
                  <button type="button" onClick={() => setRenaming(null)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <div className="boards-list__name">
                  <a
                    href={boardPath(tenantId, board.id)}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(boardPath(tenantId, board.id));
                    }}
                  >
                    {board.name}
                  </a>
                  <span className="boards-list__meta">
                    {board.widgetCount} {board.widgetCount === 1 ? 'widget' : 'widgets'} · changed {formatLocalDate(board.updatedAt.slice(0, 10))}
                  </span>
                </div>
              )}
              <div className="boards-list__actions">
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={rotation.has(board.id)}
                    onChange={(e) =>
                      setRotation((current) => {
                        const next = new Set(current);
                        if (e.target.checked) next.add(board.id);
                        else next.delete(board.id);
                        return next;
                      })
                    }
                  />
                  <span>On wallboard</span>
                </label>
                {canEdit ? (
                <>
                <button type="button" onClick={() => setRenaming(board.id)} aria-label={`Rename ${board.name}`}>
                  Rename
                </button>
                <button type="button" onClick={() => void run(() => api.duplicate(tenantId, board.id))} aria-label={`Duplicate ${board.name}`}>
                  Duplicate
                </button>
                {confirming === board.id ? (
                  <>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        setConfirming(null);
                        void run(() => api.remove(tenantId, board.id));
                      }}
                    >
                      Delete {board.name} for good
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </>
                ) : (
                  <button type="button" onClick={() => setConfirming(board.id)} aria-label={`Delete ${board.name}`}>
                    Delete
                  </button>
                )}
                </>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}

      {canEdit ? (
      <section className="panel wall-builder" aria-labelledby="wall-builder-title">
        <h2 id="wall-builder-title">Wallboard</h2>
        <p className="panel__hint">
          Tick the dashboards a TV should show. The link opens full screen without signing in and rotates between them.
        </p>
        <div className="inline-form">
          <label htmlFor="rotate-seconds">Show each for</label>
          <select id="rotate-seconds" value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
            {[15, 30, 60, 120, 300].map((s) => (
              <option key={s} value={s}>
                {s < 60 ? `${s} seconds` : `${s / 60} minute${s === 60 ? '' : 's'}`}
              </option>
            ))}
          </select>
          <button type="button" className="primary" disabled={rotation.size === 0} onClick={() => void buildWall()}>
            Create wallboard link
          </button>
        </div>
        {wallUrl ? (
          <label className="share-new">
            <span>Wallboard link (shown once — copy it now)</span>
            <input type="text" readOnly value={wallUrl} data-testid="wall-url" onFocus={(e) => e.target.select()} />
          </label>
        ) : null}
      </section>
      ) : null}
    </main>
  );
}
