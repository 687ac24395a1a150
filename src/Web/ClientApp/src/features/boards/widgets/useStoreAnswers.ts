// Loads one answer per store for a history-reading widget, again whenever the stores' live tiles say something
// happened (eventsApplied changed): event-driven, so a quiet store costs nothing and a busy one stays current.
import { useEffect, useRef, useState } from 'react';
import type { StoreKey } from '../../../lib/types';
import type { StoreFigures } from '../figures';
import { storeKey } from '../figures';
import type { StoreAnswer } from './historyFigures';
import { useWidgetData, type WidgetDataSource } from './widgetData';

/**
 * History is written a moment after the tiles move: the engine batches facts and flushes every 2 s by default
 * (Engine:SnapshotFlushInterval). So a change is read at once and again after each of these delays, to catch facts
 * still in the batch, even on a busy server; then nothing more until the tiles move again.
 */
export const SETTLE_DELAYS_MS = [2500, 6000] as const;

export interface StoreAnswers<T> {
  answers: StoreAnswer<T>[];
  /** Set when a store could not be read; the last good answers stay on screen. */
  error: string | null;
  loaded: boolean;
}

export function useStoreAnswers<T>(
  entries: readonly StoreFigures[],
  load: (source: WidgetDataSource, store: StoreKey, signal: AbortSignal) => Promise<T>,
  settingsKey: string,
): StoreAnswers<T> {
  const source = useWidgetData();
  const [state, setState] = useState<StoreAnswers<T>>({ answers: [], error: null, loaded: false });
  const loadRef = useRef(load);
  loadRef.current = load;
  const entriesRef = useRef(entries);
  entriesRef.current = entries;
  const trigger = `${settingsKey}#${entries.map((e) => `${storeKey(e.store)}:${e.tiles.eventsApplied}`).join('|')}`;

  useEffect(() => {
    const controller = new AbortController();
    const read = async () => {
      const stores = entriesRef.current.map((e) => e.store);
      const settled = await Promise.allSettled(stores.map((s) => loadRef.current(source, s, controller.signal)));
      if (controller.signal.aborted) return;
      const answers: StoreAnswer<T>[] = [];
      let error: string | null = null;
      settled.forEach((result, i) => {
        if (result.status === 'fulfilled') answers.push({ store: stores[i]!, body: result.value });
        else error = result.reason instanceof Error ? result.reason.message : String(result.reason);
      });
      setState((previous) => ({ answers: error && answers.length === 0 ? previous.answers : answers, error, loaded: true }));
    };
    void read();
    const again = SETTLE_DELAYS_MS.map((delay) => setTimeout(() => void read(), delay));
    return () => {
      again.forEach(clearTimeout);
      controller.abort();
    };
  }, [source, trigger]);

  return state;
}
