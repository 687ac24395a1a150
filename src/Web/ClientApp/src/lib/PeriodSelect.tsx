/** The periods a history panel offers (the server's rolling periods, up to now). */
export const historyPeriods = [
  { value: 'last7', label: 'Last 7 days' },
  { value: 'last30', label: 'Last 30 days' },
  { value: 'last90', label: 'Last 90 days' },
  { value: 'mtd', label: 'Month to date' },
] as const;

/** "Period [select]" over {@link historyPeriods}. */
export function PeriodSelect({ value, onChange }: { value: string; onChange: (period: string) => void }) {
  return (
    <label>
      Period{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {historyPeriods.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </select>
    </label>
  );
}
