import { useEffect, useMemo } from 'react';
import { localDateIn } from '../../lib/format';
import { sameStore, type StoreSummary } from '../../lib/types';
import { DashboardView } from './DashboardView';
import { useDashboardHub } from './useDashboardHub';
import { VisitorTiles } from './VisitorTiles';

export interface DashboardProps {
  store: StoreSummary;
  stores: readonly StoreSummary[];
  onSelectStore: (store: StoreSummary) => void;
}

/** The dashboard page for one store: live figures from the hub, first paint from the REST endpoint. */
export function Dashboard({ store, stores, onSelectStore }: DashboardProps) {
  const key = useMemo(() => ({ tenantId: store.tenantId, storeId: store.storeId }), [store.tenantId, store.storeId]);
  const { status, tiles, loadError } = useDashboardHub(key);
  // Figures from the previous store can linger for one render after a switch; never show them under the new name.
  const current = tiles && sameStore(tiles, key) ? tiles : null;

  useEffect(() => {
    document.title = `${store.name} · SalesDash`;
  }, [store.name]);

  return (
    <DashboardView
      store={store}
      stores={stores}
      onSelectStore={onSelectStore}
      status={status}
      tiles={current}
      fallbackLocalDate={localDateIn(new Date(), current?.timeZone ?? store.timeZone)}
      loadError={loadError}
      analytics={<VisitorTiles store={key} timeZone={current?.timeZone ?? store.timeZone} />}
    />
  );
}
