import { cohortLabel, formatMetric, type CohortView } from './benchmarks';

/** The columns every "you against peers" table shares: the figure, yours, the peers' quartiles and the cohort. */
export function PeerTableHead() {
  return (
    <thead>
      <tr>
        <th scope="col">Figure</th>
        <th scope="col">You</th>
        <th scope="col">25th</th>
        <th scope="col">Median</th>
        <th scope="col">75th</th>
        <th scope="col">Compared with</th>
      </tr>
    </thead>
  );
}

/** The peers' quartiles of one figure and the cohort they come from: the cells after "You" in every such table. */
export function PeerCells({ metric, p25, p50, p75, cohort, minimumPeers }: {
  metric: string;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  cohort: CohortView | null;
  minimumPeers: number;
}) {
  return (
    <>
      <td>{formatMetric(metric, p25)}</td>
      <td>{formatMetric(metric, p50)}</td>
      <td>{formatMetric(metric, p75)}</td>
      <td>{cohortLabel(cohort, minimumPeers)}</td>
    </>
  );
}
