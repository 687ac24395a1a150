// Loads one dashboard and saves every change shortly after it is made, one request at a time, newest last.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useBoardsServices } from './services';
import type { Board, BoardInput } from './types';

export type SaveState = { kind: 'saved' } | { kind: 'saving' } | { kind: 'error'; message: string };

export interface SavedBoard {
  board: Board | null;
  loadError: string | null;
  save: SaveState;
  /** Applies a change on screen at once and saves it after a short pause. */
  update: (change: (draft: BoardInput) => BoardInput) => void;
}

export function useSavedBoard(tenantId: string, boardId: string): SavedBoard {
  const { api, saveDelayMs } = useBoardsServices();
  const [board, setBoard] = useState<Board | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: 'saved' });
  const latest = useRef<Board | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const dirty = useRef(false);

  useEffect(() => {
    const abort = new AbortController();
    setBoard(null);
    setLoadError(null);
    api
      .get(tenantId, boardId, abort.signal)
      .then((loaded) => {
        latest.current = loaded;
        setBoard(loaded);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setLoadError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [api, tenantId, boardId]);

  const flush = useCallback(async (): Promise<void> => {
    if (inFlight.current) {
      // One PUT at a time; a change made meanwhile goes out right after, so the last write is the newest state.
      await inFlight.current;
    }
    const current = latest.current;
    if (!current || !dirty.current) return;
    dirty.current = false;
    setSave({ kind: 'saving' });
    const request = api
      .save(tenantId, boardId, { name: current.name, layout: current.layout, widgets: current.widgets })
      .then(() => {
        if (!dirty.current) setSave({ kind: 'saved' });
      })
      .catch((e: unknown) => {
        dirty.current = true;
        setSave({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      });
    inFlight.current = request;
    await request;
    inFlight.current = null;
  }, [api, tenantId, boardId]);

  const update = useCallback(
    (change: (draft: BoardInput) => BoardInput) => {
      const current = latest.current;
      if (!current) return;
      const next = { ...current, ...change({ name: current.name, layout: current.layout, widgets: current.widgets }) };
      latest.current = next;
      dirty.current = true;
      setBoard(next);
      setSave({ kind: 'saving' });
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), saveDelayMs);
    },
    [flush, saveDelayMs],
  );

  // Leaving the page sends what is pending rather than dropping it.
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      void flush();
    },
    [flush],
  );

  return { board, loadError, save, update };
}
