import { visitorFigures } from '../../../lib/visitors';
import type { StoreFigures } from '../figures';
import { storeKey } from '../figures';
import type { Widget } from '../types';
import { newestMinute } from './historyFigures';
import { useStoreAnswers } from './useStoreAnswers';

/**
 * GA4 visitors, sessions, conversion and top sources per store. GA4 is read once a minute on the server, so the widget
 * reads again whenever the live tiles reach a new minute; stores without an analytics channel are left out.
 */
export function VisitorsWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const minute = newestMinute(entries.map((e) => e.tiles.asOf));
  const { answers, error, loaded } = useStoreAnswers(
    entries,
    (source, store, signal) => (source.visitors ? source.visitors(store, signal) : Promise.reject(new Error('This page cannot read visitors.'))),
    `visitors#${minute}`,
  );
  if (!loaded) return <p className="widget__empty">Loading visitors…</p>;
  const shown = answers
    .map((answer) => {
      const entry = entries.find((e) => storeKey(e.store) === storeKey(answer.store));
      return { key: storeKey(answer.store), name: entry?.store.name ?? answer.store.storeId, view: visitorFigures(answer.body, entry?.tiles.timeZone ?? 'UTC') };
    })
    .filter((s) => s.view !== null);
  if (shown.length === 0) {
    return <p className="widget__empty">{error ? `Could not load visitors: ${error}` : 'No analytics channel is connected.'}</p>;
  }
  return (
    <div className="visitors-widget" data-testid={`widget-${widget.id}-visitors`}>
      {shown.map(({ key, name, view }) => (
        <section key={key} data-store={key}>
          {shown.length > 1 ? <h4>{name}</h4> : null}
          <dl className="visitors-widget__figures">
            {view!.figures.map((f) => (
              <div key={f.id} data-testid={`widget-${widget.id}-${f.id}`} data-value={f.value}>
                <dt>{f.label}</dt>
                <dd>{f.text}</dd>
                {f.detail ? <dd className="visitors-widget__detail">{f.detail}</dd> : null}
              </div>
            ))}
          </dl>
          {view!.sources.length > 0 ? (
            <ol className="visitors-widget__sources" aria-label="Sessions today by source">
              {view!.sources.slice(0, 5).map((s) => (
                <li key={s.source} data-source={s.source}>
                  {s.source} · {s.sessions} ({Math.round(s.share * 100)}%)
                </li>
              ))}
            </ol>
          ) : null}
          <p className="widget__source">{view!.sourceLine}</p>
          {view!.warning ? <p className="widget__empty">{view!.warning}</p> : null}
        </section>
      ))}
    </div>
  );
}
