import { usePrefersReducedMotion } from '../../app/usePrefersReducedMotion';
import { deltaSentiment, formatCount, formatDelta, formatLastWeek, formatMoney } from '../../lib/format';
import type { KpiTile } from '../../lib/types';
import type { TileKind } from './tileDefinitions';
import { useCountUp, useFlashOnChange } from '../../lib/useCountUp';

export interface TileProps {
  id: string;
  label: string;
  kind: TileKind;
  higherIsBetter: boolean;
  tile: KpiTile;
  currency: string;
  /** Where "Alert me when this…" goes; absent where no rule can watch the figure. */
  alertHref?: string | null | undefined;
  /** What the figure leaves out, printed under it (the customer tiles' guest orders). */
  note?: string | null | undefined;
}

/** One KPI: label, the figure (counting up when it changes) and how it compares with last week. */
export function Tile({ id, label, kind, higherIsBetter, tile, currency, alertHref, note }: TileProps) {
  const reducedMotion = usePrefersReducedMotion();
  const shown = useCountUp(tile.value, !reducedMotion);
  const flashing = useFlashOnChange(tile.value, !reducedMotion);
  const format = kind === 'money' ? (n: number) => formatMoney(n, currency) : formatCount;
  const delta = formatDelta(tile.changeRatio);
  const sentiment = deltaSentiment(delta.direction, higherIsBetter);
  const lastWeek = formatLastWeek(tile, format);

  return (
    <article className={`tile${flashing ? ' tile--flash' : ''}`} data-testid={`tile-${id}`} aria-labelledby={`tile-${id}-label`}>
      <h3 className="tile__label" id={`tile-${id}-label`}>
        {label}
      </h3>
      {alertHref ? (
        <details className="widget-menu tile__menu">
          <summary className="icon-button" aria-label={`More for ${label}`}>
            ⋯
          </summary>
          <div className="widget-menu__items">
            <a href={alertHref}>Alert me when this…</a>
          </div>
        </details>
      ) : null}
      {/* data-value is the server's exact figure, never the tween in progress. The tween is hidden from screen
          readers, which would otherwise announce every frame; they read the settled figure beside it. */}
      <p className="tile__value" data-testid={`tile-${id}-value`} data-value={String(tile.value)} aria-hidden="true">
        {format(shown)}
      </p>
      <p className="visually-hidden">{format(tile.value)}</p>
      <p
        className={`tile__delta tile__delta--${delta.direction} tile__delta--${sentiment}`}
        data-testid={`tile-${id}-delta`}
        title={lastWeek}
      >
        {delta.text}
      </p>
      <p className="visually-hidden">{lastWeek}</p>
      {note ? (
        <p className="tile__note" data-testid={`tile-${id}-note`}>
          {note}
        </p>
      ) : null}
    </article>
  );
}
