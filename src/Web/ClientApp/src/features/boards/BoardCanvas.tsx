import { useCallback, useMemo, useRef, useState } from 'react';
import { GridLayout, useContainerWidth, type Layout } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import type { DashboardTiles, StoreSummary } from '../../lib/types';
import { GRID_COLUMNS, palette, widgetTitle } from './catalogue';
import { DrillDialog } from './DrillDialog';
import { entriesForChannel, storeKey, type StoreFigures } from './figures';
import { rowHeightToFit, sameLayout, stackOrder, toGridItems } from './layout';
import type { GridItem, Widget, WidgetKind } from './types';
import { ExportButtons } from '../reports/ExportButtons';
import type { ExportFormat } from '../reports/exportLinks';
import '../reports/exports.css';
import { WidgetBody, type Drill } from './Widgets';

/** Below this width widgets stack in one column in reading order: a phone, or a narrow window. */
export const STACK_BELOW_PX = 720;
const ROW_HEIGHT = 56;
const MARGIN = 12;
const DROPPING_ID = '__dropping__';

export interface BoardCanvasProps {
  layout: readonly GridItem[];
  widgets: readonly Widget[];
  stores: readonly StoreSummary[];
  tiles: ReadonlyMap<string, DashboardTiles>;
  editable: boolean;
  /** Stretch rows so the whole board fits the screen height (a wallboard). */
  fitHeightPx?: number;
  /** The palette kind being dragged in, if any: sizes the drop placeholder. */
  draggingKind?: WidgetKind | null;
  onLayoutChange?: (layout: GridItem[]) => void;
  onDropNew?: (kind: WidgetKind, at: { x: number; y: number }) => void;
  onEdit?: (id: string) => void;
  onRemove?: (id: string) => void;
  /** Where a widget's figures download from (signed-in boards only); no export buttons without it. */
  exportHref?: (widgetId: string, format: ExportFormat) => string;
  /** Where "Alert me when this…" goes for a widget; null (or absent) where no rule can watch its figure. */
  alertHref?: (widget: Widget) => string | null;
}

/** The widgets of a dashboard on a 12-column grid (drag by the header, resize from the corner), or stacked on a phone. */
export function BoardCanvas(props: BoardCanvasProps) {
  const { layout, widgets, stores, tiles, editable, fitHeightPx, draggingKind, onLayoutChange, onDropNew, onEdit, onRemove, exportHref, alertHref } = props;
  const { width, containerRef, mounted } = useContainerWidth();
  const [drill, setDrill] = useState<Drill | null>(null);
  const closeDrill = useCallback(() => setDrill(null), []);
  const layoutRef = useRef(layout);
  layoutRef.current = layout;
  const ids = useMemo(() => new Set(widgets.map((w) => w.id)), [widgets]);

  const entriesFor = (widget: Widget): StoreFigures[] =>
    entriesForChannel(
      widget.settings.channel,
      stores.flatMap((store) => {
        const t = tiles.get(storeKey(store));
        return t ? [{ store, tiles: t }] : [];
      }),
    );

  const card = (widget: Widget) => {
    const title = widgetTitle(widget);
    const alert = alertHref?.(widget) ?? null;
    return (
      <article className={`widget widget--${widget.kind}`} data-testid={`widget-${widget.id}`} aria-labelledby={`widget-${widget.id}-title`}>
        <header className="widget__header">
          <h2 className="widget__title" id={`widget-${widget.id}-title`}>
            {title}
          </h2>
          {editable || exportHref || alert ? (
            <div className="widget__tools">
              {alert ? <AlertMeMenu title={title} href={alert} /> : null}
              {exportHref ? <ExportButtons label={title} href={(format) => exportHref(widget.id, format)} /> : null}
              {editable ? (
                <>
                  <button type="button" className="icon-button" aria-label={`Settings of ${title}`} onClick={() => onEdit?.(widget.id)}>
                    ⚙
                  </button>
                  <button type="button" className="icon-button" aria-label={`Remove ${title}`} onClick={() => onRemove?.(widget.id)}>
                    ✕
                  </button>
                </>
              ) : null}
            </div>
          ) : null}
        </header>
        <div className="widget__body">
          <WidgetBody widget={widget} entries={entriesFor(widget)} onDrill={setDrill} />
        </div>
      </article>
    );
  };

  const stacked = mounted && width < STACK_BELOW_PX;
  const byId = new Map(widgets.map((w) => [w.id, w]));
  const rowHeight = fitHeightPx && !stacked ? rowHeightToFit(layout, fitHeightPx, MARGIN) : ROW_HEIGHT;
  const dropSize = palette.find((p) => p.kind === draggingKind)?.size ?? { w: 3, h: 3 };

  const handleLayout = (next: Layout) => {
    const items = toGridItems(next, ids);
    if (items.length === ids.size && !sameLayout(items, layoutRef.current)) onLayoutChange?.(items);
  };

  return (
    <div ref={containerRef} className={`board-canvas${stacked ? ' board-canvas--stacked' : ''}`} data-testid="board-canvas" data-layout={stacked ? 'stacked' : 'grid'}>
      {!mounted ? null : stacked ? (
        <div className="board-stack">
          {stackOrder(layout).map((id) => {
            const widget = byId.get(id);
            return widget ? (
              <div key={id} className="board-stack__item" data-grid-id={id}>
                {card(widget)}
              </div>
            ) : null;
          })}
        </div>
      ) : (
        <GridLayout
          width={width}
          layout={[...layout]}
          gridConfig={{ cols: GRID_COLUMNS, rowHeight, margin: [MARGIN, MARGIN] }}
          dragConfig={{ enabled: editable, handle: '.widget__header', cancel: '.widget__tools' }}
          resizeConfig={{ enabled: editable, handles: ['se'] }}
          dropConfig={{ enabled: editable && !!onDropNew, defaultItem: dropSize }}
          droppingItem={{ i: DROPPING_ID, x: 0, y: 0, ...dropSize }}
          onLayoutChange={handleLayout}
          onDrop={(_, item) => {
            if (item && draggingKind) onDropNew?.(draggingKind, { x: item.x, y: item.y });
          }}
        >
          {layout.flatMap((item) => {
            const widget = byId.get(item.i);
            return widget
              ? [
                  <div key={item.i} className="board-cell" data-grid-id={item.i}>
                    {card(widget)}
                  </div>,
                ]
              : [];
          })}
        </GridLayout>
      )}
      {drill ? <DrillDialog drill={drill} entries={entriesFor(drill.widget)} onClose={closeDrill} /> : null}
    </div>
  );
}

/** The widget's menu with "Alert me when this…": opens the rule editor on the Alerts page, prefilled from the widget. */
export function AlertMeMenu({ title, href }: { title: string; href: string }) {
  return (
    <details className="widget-menu">
      <summary className="icon-button" aria-label={`More for ${title}`}>
        ⋯
      </summary>
      <div className="widget-menu__items">
        <a href={href}>Alert me when this…</a>
      </div>
    </details>
  );
}
