import { useSyncExternalStore } from 'react';
import type { OfflineStore } from './offline';
import { offlineBannerText } from './policy';
import './offline.css';

/** "Offline — figures as of hh:mm" above every page while the network is gone; nothing while online. */
export function OfflineBanner({ store, now = () => new Date(), locale }: { store: OfflineStore; now?: () => Date; locale?: string }) {
  const state = useSyncExternalStore(store.subscribe, store.get);
  if (!state.offline) return null;
  return (
    <div className="offline-banner" role="status" data-testid="offline-banner">
      {offlineBannerText(state.figuresAsOf, now(), locale ?? (document.documentElement.lang || undefined))}
    </div>
  );
}
