// Pure layout rules for the dashboard grid: where a new widget goes, what is saved, and the phone's reading order.
import { GRID_COLUMNS } from './catalogue';
import type { GridItem, Widget, WidgetKind } from './types';

function overlaps(a: GridItem, b: GridItem): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * The first free spot for a widget of `size`, scanning rows top to bottom and columns left to right, so a new
 * widget fills a gap before it goes to the bottom.
 */
export function placeNew(layout: readonly GridItem[], id: string, size: { w: number; h: number }, cols = GRID_COLUMNS): GridItem {
  const w = Math.min(Math.max(1, size.w), cols);
  const h = Math.max(1, size.h);
  const bottom = layout.reduce((max, item) => Math.max(max, item.y + item.h), 0);
  for (let y = 0; y <= bottom; y++) {
    for (let x = 0; x + w <= cols; x++) {
      const candidate = { i: id, x, y, w, h };
      if (!layout.some((item) => overlaps(item, candidate))) return candidate;
    }
  }
  return { i: id, x: 0, y: bottom, w, h };
}

/** What is saved: only position and size, whole numbers inside the grid, one entry per known widget. */
export function toGridItems(
  layout: readonly { i: string; x: number; y: number; w: number; h: number }[],
  widgetIds: ReadonlySet<string>,
  cols = GRID_COLUMNS,
): GridItem[] {
  const seen = new Set<string>();
  const items: GridItem[] = [];
  for (const item of layout) {
    if (!widgetIds.has(item.i) || seen.has(item.i)) continue;
    seen.add(item.i);
    const w = Math.min(Math.max(1, Math.round(item.w)), cols);
    items.push({
      i: item.i,
      x: Math.min(Math.max(0, Math.round(item.x)), cols - w),
      y: Math.max(0, Math.round(item.y)),
      w,
      h: Math.min(Math.max(1, Math.round(item.h)), 24),
    });
  }
  return items;
}

/** True when both layouts put every widget in the same place (order does not matter). */
export function sameLayout(a: readonly GridItem[], b: readonly GridItem[]): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(b.map((item) => [item.i, item]));
  return a.every((item) => {
    const other = byId.get(item.i);
    return !!other && other.x === item.x && other.y === item.y && other.w === item.w && other.h === item.h;
  });
}

/** Widget ids in reading order (row by row, left to right): how a phone stacks them in one column. */
export function stackOrder(layout: readonly GridItem[]): string[] {
  return [...layout].sort((a, b) => a.y - b.y || a.x - b.x || a.i.localeCompare(b.i)).map((item) => item.i);
}

/** A widget id not used on the board yet, e.g. "kpi-3". */
export function nextWidgetId(widgets: readonly Widget[], kind: WidgetKind): string {
  const used = new Set(widgets.map((w) => w.id));
  for (let n = 1; ; n++) {
    const id = `${kind}-${n}`;
    if (!used.has(id)) return id;
  }
}

/**
 * Rows tall enough for `rows` grid rows to fill `availablePx` (a wallboard fits the screen without scrolling),
 * never smaller than `minPx` so text stays readable.
 */
export function rowHeightToFit(layout: readonly GridItem[], availablePx: number, marginPx: number, minPx = 40): number {
  const rows = layout.reduce((max, item) => Math.max(max, item.y + item.h), 0);
  if (rows === 0) return minPx;
  return Math.max(minPx, Math.floor((availablePx - marginPx * (rows + 1)) / rows));
}
