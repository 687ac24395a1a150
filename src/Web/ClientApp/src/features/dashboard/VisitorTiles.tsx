import { useEffect, useState } from 'react';
import { getJson, storeApi } from '../../lib/http';
import type { StoreKey } from '../../lib/types';
import { visitorFigures, type VisitorsBody } from '../../lib/visitors';

/** The server reads GA4 once a minute (Visitors:PollInterval); reading it more often would show nothing new. */
export const VISITORS_REFRESH_MS = 60_000;

/** Visitors, sessions, conversion and sources from GA4; renders nothing when the store has no analytics channel. */
export function VisitorTiles({ store, timeZone }: { store: StoreKey; timeZone: string }) {
  const [body, setBody] = useState<VisitorsBody | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    setBody(null);
    const read = () =>
      getJson<VisitorsBody>(storeApi(store, 'visitors'), controller.signal).then(
        (answer) => setBody(answer),
        // An unreadable answer hides the tiles (as "not connected" does) rather than showing stale or made-up figures.
        () => {
          if (!controller.signal.aborted) setBody(null);
        },
      );
    void read();
    const timer = setInterval(() => void read(), VISITORS_REFRESH_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [store.tenantId, store.storeId]);
  return <VisitorTilesView body={body} timeZone={timeZone} />;
}

export function VisitorTilesView({ body, timeZone }: { body: VisitorsBody | null; timeZone: string }) {
  const view = visitorFigures(body, timeZone);
  if (!view) return null;
  return (
    <section aria-labelledby="visitors-heading" data-testid="visitors">
      <h2 id="visitors-heading" className="section-heading">
        Visitors and conversion
      </h2>
      <p className="dashboard__source" data-testid="visitors-source">
        {view.sourceLine}
      </p>
      {view.warning ? (
        <p className="notice notice--error" role="alert">
          {view.warning}
        </p>
      ) : null}
      <div className="tiles">
        {view.figures.map((figure) => (
          <article key={figure.id} className="tile" data-testid={`tile-${figure.id}`} aria-labelledby={`tile-${figure.id}-label`}>
            <h3 className="tile__label" id={`tile-${figure.id}-label`}>
              {figure.label}
            </h3>
            <p className="tile__value" data-testid={`tile-${figure.id}-value`} data-value={figure.value}>
              {figure.text}
            </p>
            {figure.detail ? <p className="tile__delta">{figure.detail}</p> : null}
          </article>
        ))}
      </div>
      {view.sources.length > 0 ? (
        <table className="visitor-sources" data-testid="visitor-sources">
          <caption>Sessions today by source</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Sessions</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {view.sources.map((s) => (
              <tr key={s.source} data-source={s.source}>
                <td>{s.source}</td>
                <td>{s.sessions}</td>
                <td>{`${Math.round(s.share * 100)}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
