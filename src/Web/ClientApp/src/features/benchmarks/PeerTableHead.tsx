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
