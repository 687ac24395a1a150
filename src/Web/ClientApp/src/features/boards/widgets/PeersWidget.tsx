import type { StoreFigures } from '../figures';
import type { Widget } from '../types';
import { peerWidgetState } from './peerFigures';
import { useStoreAnswers } from './useStoreAnswers';

/**
 * One peer benchmark metric of the organisation against its cohort's quartiles. Benchmarks are per organisation, so
 * the first store of the board stands for it; hidden with the server's reason when the cohort is too small or the
 * plan lacks advanced analytics.
 */
export function PeersWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const metric = widget.settings.metric;
  const { answers, error, loaded } = useStoreAnswers(
    entries.slice(0, 1),
    (source, store, signal) => {
      if (!source.peers) return Promise.reject(new Error('Peer benchmarks cannot be read here.'));
      return source.peers(store, metric, signal);
    },
    `peers:${metric}`,
  );
  if (!loaded) return <p className="widget__empty">Loading peer benchmarks…</p>;
  const body = answers[0]?.body;
  if (!body) return <p className="widget__empty">{error ? `Could not load peer benchmarks: ${error}` : 'No store to compare yet.'}</p>;
  const state = peerWidgetState(body);
  if (state.kind === 'hidden') {
    return (
      <p className="widget__empty" data-testid={`widget-${widget.id}-peers-hidden`}>
        {state.message}
      </p>
    );
  }
  return (
    <div className="peers" data-testid={`widget-${widget.id}-peers`}>
      <p className="peers__you">
        <span className="peers__label">You</span> <strong data-testid={`widget-${widget.id}-peers-you`}>{state.you}</strong>
      </p>
      <p className="peers__standing">{state.standing}</p>
      <dl className="peers__quartiles">
        {state.quartiles.map((q) => (
          <div key={q.label}>
            <dt>{q.label}</dt>
            <dd>{q.value}</dd>
          </div>
        ))}
      </dl>
      <p className="forecast-list__detail" data-testid={`widget-${widget.id}-peers-cohort`}>
        Compared with {state.cohort}, last 28 days
      </p>
    </div>
  );
}
