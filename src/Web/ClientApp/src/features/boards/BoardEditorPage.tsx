import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { formatLocalTimeWithSeconds } from '../../lib/format';
import type { StoreSummary } from '../../lib/types';
import { newWidget, palette } from './catalogue';
import { storesShownBy } from './figures';
import { nextWidgetId, placeNew } from './layout';
import { BoardCanvas } from './BoardCanvas';
import { connectionStatusText, subscribeByTenant } from '../../lib/live';
import { Palette } from './Palette';
import { SharePanel } from './SharePanel';
import { useLiveTiles } from './useLiveTiles';
import { useSavedBoard, type SaveState } from './useSavedBoard';
import type { Widget, WidgetKind } from './types';
import { alertMeHref, alertMetricOf } from '../../lib/alertLinks';
import { widgetExportUrl, type ExportFormat } from '../reports/exportLinks';
import { WidgetSettingsForm } from './WidgetSettingsForm';
import { metricsApi, type CustomMetric } from '../metrics/api';
import { getJson, tenantApi } from '../../lib/http';

export interface BoardEditorPageProps {
  tenantId: string;
  boardId: string;
  boardsHref: string;
  /** Every store the app knows (null while loading); the organisation's are picked from them. */
  stores: readonly StoreSummary[] | null;
  /** False for viewers: the board shows live, without the controls to change, share or export it (the API refuses those
   * too). The app passes true until it knows the role, so the canvas never switches modes under an editor's hands. */
  canEdit?: boolean;
}

const saveText = (save: SaveState) =>
  save.kind === 'saved' ? 'All changes saved' : save.kind === 'saving' ? 'Saving…' : `Could not save: ${save.message}`;

/** One dashboard, live, with its palette, settings and share panel: what its owner arranges. */
export function BoardEditorPage({ tenantId, boardId, boardsHref, stores, canEdit = true }: BoardEditorPageProps) {
  const { board, loadError, save, update } = useSavedBoard(tenantId, boardId);
  const [customMetrics, setCustomMetrics] = useState<CustomMetric[]>([]);
  const [goals, setGoals] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    const abort = new AbortController();
    // Without the metrics list the picker offers the built-in figures only; the board still edits.
    metricsApi.list(tenantId, abort.signal).then(setCustomMetrics, () => undefined);
    // Without the goals list a saved-goal widget cannot be bound yet; the rest of the board still edits.
    getJson<{ goal: { id: string; name: string } }[]>(tenantApi(tenantId, 'goals'), abort.signal).then(
      (views) => setGoals(views.map((v) => ({ id: v.goal.id, name: v.goal.name }))),
      () => undefined,
    );
    return () => abort.abort();
  }, [tenantId]);
  const [editing, setEditing] = useState<string | null>(null);
  const [sharing, setSharing] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [draggingKind, setDraggingKind] = useState<WidgetKind | null>(null);

  const tenantStores = useMemo(() => (stores ?? []).filter((s) => s.tenantId === tenantId), [stores, tenantId]);
  const shown = useMemo(() => storesShownBy(board?.widgets ?? [], tenantStores), [board?.widgets, tenantStores]);
  const live = useLiveTiles(shown, subscribeByTenant);

  useEffect(() => {
    if (board) document.title = `${board.name} · SalesDash`;
  }, [board]);

  if (loadError) {
    return (
      <main className="message">
        <h1>Could not open this dashboard</h1>
        <p role="alert">{loadError}</p>
        <a href={boardsHref}>All dashboards</a>
      </main>
    );
  }
  if (!board) {
    return (
      <main className="message">
        <h1>Loading dashboard…</h1>
      </main>
    );
  }

  const add = (kind: WidgetKind, at?: { x: number; y: number }) => {
    const size = palette.find((p) => p.kind === kind)!.size;
    update((draft) => {
      const id = nextWidgetId(draft.widgets, kind);
      const item = at ? { i: id, ...at, ...size, x: Math.min(at.x, 12 - size.w) } : placeNew(draft.layout, id, size);
      return { ...draft, widgets: [...draft.widgets, newWidget(kind, id)], layout: [...draft.layout, item] };
    });
  };

  const remove = (id: string) => {
    update((draft) => ({ ...draft, widgets: draft.widgets.filter((w) => w.id !== id), layout: draft.layout.filter((l) => l.i !== id) }));
    if (editing === id) setEditing(null);
  };

  const rename = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    if (name) update((draft) => ({ ...draft, name }));
    setRenaming(false);
  };

  const newest = [...live.tiles.values()].reduce<string | null>((max, t) => (max === null || t.asOf > max ? t.asOf : max), null);
  const zone = [...live.tiles.values()][0]?.timeZone ?? 'UTC';
  const editingWidget = board.widgets.find((w) => w.id === editing) ?? null;

  return (
    <div className="board-page">
      <header className="board-page__header">
        <div className="board-page__title">
          <a href={boardsHref} className="back-link">
            ← All dashboards
          </a>
          {renaming ? (
            <form className="inline-form" onSubmit={rename}>
              <label className="visually-hidden" htmlFor="board-name">
                Dashboard name
              </label>
              <input id="board-name" name="name" defaultValue={board.name} maxLength={80} required autoFocus />
              <button type="submit">Save name</button>
              <button type="button" onClick={() => setRenaming(false)}>
                Cancel
              </button>
            </form>
          ) : (
            <div className="inline-form">
              <h1 data-testid="board-name">{board.name}</h1>
              {canEdit ? (
                <button type="button" onClick={() => setRenaming(true)}>
                  Rename
                </button>
              ) : null}
            </div>
          )}
        </div>
        <div className="dashboard__meta">
          <span className="save-status" data-testid="save-status" role="status">
            {saveText(save)}
          </span>
          <span className={`connection connection--${live.status}`}>
            <span data-testid="connection-status">{connectionStatusText[live.status]}</span>
          </span>
          <span className="dashboard__updated" data-testid="last-updated">
            {newest ? <>Updated <time dateTime={newest}>{formatLocalTimeWithSeconds(newest, zone)}</time></> : 'Waiting for figures'}
          </span>
          {canEdit ? (
            <button type="button" onClick={() => setSharing((s) => !s)} aria-expanded={sharing}>
              Share to a TV
            </button>
          ) : null}
        </div>
      </header>

      <div className="board-page__body">
        {canEdit ? (
        <aside className="board-page__side">
          <Palette onAdd={(kind) => add(kind)} onDragKind={setDraggingKind} />
          {editingWidget ? (
            <WidgetSettingsForm
              widget={editingWidget}
              onChange={(changed) => update((draft) => ({ ...draft, widgets: draft.widgets.map((w) => (w.id === changed.id ? changed : w)) }))}
              onClose={() => setEditing(null)}
              customMetrics={customMetrics}
              goals={goals}
            />
          ) : null}
          {sharing ? <SharePanel tenantId={tenantId} boardId={boardId} onClose={() => setSharing(false)} /> : null}
        </aside>
        ) : null}
        <main className="board-page__main" aria-label={board.name}>
          {board.widgets.length === 0 ? (
            <p className="board-page__empty">
              {canEdit ? 'Drag a widget here from the palette, or press its Add button.' : 'This dashboard has no widgets yet.'}
            </p>
          ) : null}
          <BoardCanvas
            layout={board.layout}
            widgets={board.widgets}
            stores={tenantStores}
            tiles={live.tiles}
            editable={canEdit}
            draggingKind={draggingKind}
            onLayoutChange={(layout) => update((draft) => ({ ...draft, layout }))}
            onDropNew={(kind, at) => add(kind, at)}
            onEdit={setEditing}
            onRemove={remove}
            alertHref={(widget) => widgetAlertHref(tenantId, widget, tenantStores)}
            {...(canEdit ? { exportHref: (widgetId: string, format: ExportFormat) => widgetExportUrl(tenantId, boardId, widgetId, format) } : {})}
          />
        </main>
      </div>
    </div>
  );
}

/** "Alert me when this…" for a KPI or chart widget on a standard figure: its metric, channel filter and, on a one-store board, the store. */
export function widgetAlertHref(tenantId: string, widget: Widget, stores: readonly { storeId: string }[]): string | null {
  if (widget.kind !== 'kpi' && widget.kind !== 'chart') return null;
  const metric = alertMetricOf(widget.settings.metric);
  if (!metric) return null;
  return alertMeHref({
    tenantId,
    metric,
    storeId: stores.length === 1 ? stores[0]?.storeId : null,
    channel: widget.settings.channel,
    title: widget.title ?? undefined,
  });
}
