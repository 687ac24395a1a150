import { useEffect, useRef } from 'react';
import { CsvButton } from '../../lib/csv/CsvButton';
import { formatLocalTime, formatMoney, formatOrders } from '../../lib/format';
import { metricLabels, periodLabels } from './catalogue';
import { channelBreakdown, minuteBreakdown, type StoreFigures } from './figures';
import { formatFigure } from './format';
import type { Drill } from './Widgets';

export interface DrillDialogProps {
  drill: Drill;
  entries: readonly StoreFigures[];
  onClose: () => void;
}

/** The figures behind a clicked minute or channel, store by store. Esc or the button closes it. */
export function DrillDialog({ drill, entries, onClose }: DrillDialogProps) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, [onClose]);

  const timeZone = entries[0]?.tiles.timeZone ?? 'UTC';
  const title =
    drill.kind === 'minute'
      ? `${formatLocalTime(drill.minute, timeZone)}, store by store`
      : `${drill.channel}: ${metricLabels[drill.widget.settings.metric].toLowerCase()}, ${periodLabels[drill.widget.settings.period].toLowerCase()}`;

  return (
    <div className="drill-backdrop" onClick={onClose}>
      <section
        className="drill"
        role="dialog"
        aria-modal="true"
        aria-labelledby="drill-title"
        data-testid="drill"
        onClick={(e) => e.stopPropagation()}
      >
        <header className="drill__header">
          <h2 id="drill-title">{title}</h2>
          <button ref={closeRef} type="button" onClick={onClose}>
            Close
          </button>
        </header>
        <CsvButton tableId="drill-table" name={title} />
        <table id="drill-table" className="ranking">
          <thead>
            <tr>
              <th scope="col">Store</th>
              <th scope="col">Channel</th>
              <th scope="col" className="num">
                {drill.kind === 'minute' ? 'Revenue' : metricLabels[drill.widget.settings.metric]}
              </th>
              {drill.kind === 'minute' ? (
                <th scope="col" className="num">
                  Orders
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {drill.kind === 'minute'
              ? minuteBreakdown(drill.minute, entries).map((row) => (
                  <tr key={`${row.store.tenantId}/${row.store.storeId}`}>
                    <td>{row.store.name}</td>
                    <td>{row.store.channel}</td>
                    <td className="num">{formatMoney(row.grossRevenue, row.currency)}</td>
                    <td className="num">{formatOrders(row.orders)}</td>
                  </tr>
                ))
              : channelBreakdown(drill.channel, drill.widget.settings, entries).map((row) => (
                  <tr key={`${row.store.tenantId}/${row.store.storeId}`}>
                    <td>{row.store.name}</td>
                    <td>{row.store.channel}</td>
                    <td className="num">{formatFigure(row.value, drill.widget.settings.metric, row.currency)}</td>
                  </tr>
                ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
