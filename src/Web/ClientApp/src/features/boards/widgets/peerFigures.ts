// "You vs peers" as the widget prints it, pure so vitest checks the words and figures (src/Web/Benchmarks PeerWidgetView).
import type { PeerWidgetBody } from './widgetData';

type PeerKind = 'rate' | 'money' | 'growth' | 'ratio';

/** How each peer metric prints, and whether a higher figure is the better one (a refund rate is better low). */
const peerMetricInfo: Record<string, { kind: PeerKind; higherIsBetter: boolean }> = {
  'conversion-rate': { kind: 'rate', higherIsBetter: true },
  'average-order-value': { kind: 'money', higherIsBetter: true },
  'repeat-rate': { kind: 'rate', higherIsBetter: true },
  'refund-rate': { kind: 'rate', higherIsBetter: false },
  'revenue-growth-wow': { kind: 'growth', higherIsBetter: true },
  'revenue-growth-mom': { kind: 'growth', higherIsBetter: true },
  roas: { kind: 'ratio', higherIsBetter: true },
};

export function formatPeerFigure(metric: string, value: number | null): string {
  if (value === null) return '—';
  switch (peerMetricInfo[metric]?.kind) {
    case 'rate':
      return `${(value * 100).toFixed(1)}%`;
    case 'growth':
      return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
    case 'money':
      // Peers are compared in US dollars so shops selling in different currencies share cohorts.
      return `$${value.toFixed(2)}`;
    default:
      return `${value.toFixed(2)}×`;
  }
}

export type PeerWidgetState =
  | { kind: 'hidden'; message: string }
  | {
      kind: 'shown';
      you: string;
      quartiles: { label: string; value: string }[];
      /** Where the organisation stands, as a person would say it; empty when its own figure is unknown. */
      standing: string;
      /** Who the quartiles come from, with how many organisations contribute. */
      cohort: string;
    };

export function peerWidgetState(body: PeerWidgetBody): PeerWidgetState {
  if (body.hidden !== null || body.cohort === null || body.p25 === null || body.p50 === null || body.p75 === null) {
    return { kind: 'hidden', message: body.message ?? `Not enough peers yet: fewer than ${body.minimumPeers} organisations contribute this figure.` };
  }
  const { cohort, metric } = body;
  const who =
    cohort.level === 'IndustryAndBand'
      ? `${cohort.industry} shops of your size (${cohort.band})`
      : cohort.level === 'Industry'
        ? `${cohort.industry} shops of every size`
        : 'shops of every industry';
  return {
    kind: 'shown',
    you: formatPeerFigure(metric, body.you),
    quartiles: [
      { label: 'Bottom quarter below', value: formatPeerFigure(metric, body.p25) },
      { label: 'Median', value: formatPeerFigure(metric, body.p50) },
      { label: 'Top quarter above', value: formatPeerFigure(metric, body.p75) },
    ],
    standing: standing(metric, body.you, body.p25, body.p50, body.p75),
    cohort: `${cohort.contributors} ${who}`,
  };
}

function standing(metric: string, you: number | null, p25: number, p50: number, p75: number): string {
  if (you === null) return 'No figure of yours yet';
  const better = peerMetricInfo[metric]?.higherIsBetter ?? true;
  if (better ? you >= p75 : you <= p25) return 'In the top quarter of your peers';
  if (better ? you < p25 : you > p75) return 'In the bottom quarter of your peers';
  return (better ? you >= p50 : you <= p50) ? 'Better than the median' : 'Below the median';
}
