// "You vs peers" figures, shared by the Benchmarks page and the board's peers widget: how a peer figure prints, where
// the organisation's own figure stands among the quartiles, and who the cohort is (src/Web/Benchmarks).

/** How a peer metric prints: a rate or growth as a percentage, money in US dollars, anything else as a multiple. */
export type PeerFigureKind = 'rate' | 'money' | 'growth' | 'ratio';

/** The cohort the quartiles come from, as the server names it. */
export interface PeerCohort {
  level: 'IndustryAndBand' | 'Industry' | 'All';
  industry: string;
  band: string;
  contributors: number;
}

export function formatPeerValue(kind: PeerFigureKind | undefined, value: number | null): string {
  if (value === null) return '—';
  switch (kind) {
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

/** Where `you` stands among the quartiles; "top" is the better end, which is the low end where lower is better. */
export type PeerStanding = 'top quarter' | 'bottom quarter' | 'better than the median' | 'below the median';

export function peerStanding(you: number, p25: number, p50: number, p75: number, higherIsBetter: boolean): PeerStanding {
  if (higherIsBetter ? you >= p75 : you <= p25) return 'top quarter';
  if (higherIsBetter ? you < p25 : you > p75) return 'bottom quarter';
  return (higherIsBetter ? you >= p50 : you <= p50) ? 'better than the median' : 'below the median';
}

/** "12 Fashion shops of your size (1–10k orders)": how many organisations, and which. */
export function cohortText(cohort: PeerCohort): string {
  const who =
    cohort.level === 'IndustryAndBand'
      ? `${cohort.industry} shops of your size (${cohort.band})`
      : cohort.level === 'Industry'
        ? `${cohort.industry} shops of every size`
        : 'shops of every industry';
  return `${cohort.contributors} ${who}`;
}
