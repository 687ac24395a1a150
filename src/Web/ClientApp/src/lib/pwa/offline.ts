// The page's side of offline: notices answers the service worker served from its cache (they carry SAVED_AT_HEADER)
// and the browser's online/offline events, and keeps "offline since, figures as of" for the banner.
import { FIGURES_CACHE, SAVED_AT_HEADER } from './policy';

export interface OfflineState {
  offline: boolean;
  /** The oldest kept figure on screen: the banner promises nothing newer than this. */
  figuresAsOf: Date | null;
}

type Listener = () => void;

/** One store per window; created by main.tsx and passed to the banner, not a module global, so tests get their own. */
export class OfflineStore {
  private state: OfflineState = { offline: false, figuresAsOf: null };
  private readonly listeners = new Set<Listener>();

  get = (): OfflineState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** An answer arrived: kept (offline copy, with its time) or fresh from the network (back online). */
  sawResponse(savedAt: string | null): void {
    if (savedAt === null) {
      if (this.state.offline) this.set({ offline: false, figuresAsOf: null });
      return;
    }
    const at = new Date(savedAt);
    if (Number.isNaN(at.getTime())) return;
    const oldest = this.state.offline && this.state.figuresAsOf && this.state.figuresAsOf < at ? this.state.figuresAsOf : at;
    this.set({ offline: true, figuresAsOf: oldest });
  }

  /** The browser says the network went (true) or came back (false). */
  sawNetwork(offline: boolean): void {
    if (offline === this.state.offline) return;
    this.set({ offline, figuresAsOf: offline ? this.state.figuresAsOf : null });
  }

  private set(next: OfflineState): void {
    this.state = next;
    for (const l of this.listeners) l();
  }
}

/** Wraps fetch once so every API answer, whichever feature asked, tells the store whether it was an offline copy. */
export function installOfflineWatch(store: OfflineStore, win: Window = window): void {
  const original = win.fetch.bind(win);
  win.fetch = async (input, init) => {
    try {
      const response = await original(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.pathname : input.url;
      if (url.includes('/api/')) store.sawResponse(response.headers.get(SAVED_AT_HEADER));
      return response;
    } catch (e) {
      if (!win.navigator.onLine) store.sawNetwork(true);
      throw e;
    }
  };
  win.addEventListener('offline', () => store.sawNetwork(true));
  win.addEventListener('online', () => store.sawNetwork(false));
  if (!win.navigator.onLine) store.sawNetwork(true);
}

/** Forgets every kept figure: on sign-in and sign-out, so the next person on this device never sees the last one's. */
export async function clearKeptFigures(): Promise<void> {
  if (typeof caches === 'undefined') return;
  await caches.delete(FIGURES_CACHE);
}

/** Registers the service worker (built into /sw.js) where the browser has one; development runs without it. */
export function registerServiceWorker(win: Window = window): void {
  if (!('serviceWorker' in win.navigator) || !import.meta.env.PROD) return;
  win.addEventListener('load', () => {
    win.navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e: unknown) => console.warn('Service worker not registered', e));
  });
}
