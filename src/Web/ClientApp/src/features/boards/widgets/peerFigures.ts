// "You vs peers" as the widget prints it, pure so vitest checks the words and figures (src/Web/Benchmarks PeerWidgetView).
import { cohortText, formatPeerValue, peerStanding, type PeerFigureKind } from '../../../lib/peers';
import type { PeerWidgetBody } from './widgetData';

/** How each peer metric prints, and whether a higher figure is the better one (a refund rate is better low). */
const peerMetricInfo: Record<string, { kind: PeerFigureKind; higherIsBetter: boolean }> = {
  'conversion-rate': { kind: 'rate', higherIsBetter: true },
  'average-order-value': { kind: 'money', higherIsBetter: true },
  'repeat-rate': { kind: 'rate', higherIsBetter: true },
  'refund-rate': { kind: 'rate', higherIsBetter: false },
  'revenue-growth-wow': { kind: 'growth', higherIsBetter: true },
  'revenue-growth-mom': { kind: 'growth', higherIsBetter: true },
  roas: { kind: 'ratio', higherIsBetter: true },
};

export function formatPeerFigure(metric: string, value: number | null): string {
  return formatPeerValue(peerMetricInfo[metric]?.kind, value);
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
  return {
    kind: 'shown',
    you: formatPeerFigure(metric, body.you),
    quartiles: [
      { label: 'Bottom quarter below', value: formatPeerFigure(metric, body.p25) },
      { label: 'Median', value: formatPeerFigure(metric, body.p50) },
      { label: 'Top quarter above', value: formatPeerFigure(metric, body.p75) },
    ],
    standing: standing(metric, body.you, body.p25, body.p50, body.p75),
    cohort: cohortText(cohort),
  };
}

const standingWords = {
  'top quarter': 'In the top quarter of your peers',
  'bottom quarter': 'In the bottom quarter of your peers',
  'better than the median': 'Better than the median',
  'below the median': 'Below the median',
} as const;

function standing(metric: string, you: number | null, p25: number, p50: number, p75: number): string {
  if (you === null) return 'No figure of yours yet';
  return standingWords[peerStanding(you, p25, p50, p75, peerMetricInfo[metric]?.higherIsBetter ?? true)];
}
