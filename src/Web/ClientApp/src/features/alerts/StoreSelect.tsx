/** The organisation's stores as a drop-down; `everyStore` adds a first option ("" as its value) for all of them. */
export function StoreSelect({
  stores,
  value,
  onChange,
  everyStore,
}: {
  stores: readonly { storeId: string; name: string }[];
  value: string;
  onChange: (storeId: string) => void;
  everyStore?: string | undefined;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)}>
      {everyStore ? <option value="">{everyStore}</option> : null}
      {stores.map((s) => (
        <option key={s.storeId} value={s.storeId}>
          {s.name}
        </option>
      ))}
    </select>
  );
}
