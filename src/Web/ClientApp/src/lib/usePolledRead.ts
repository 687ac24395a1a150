import { useEffect, useRef, useState } from 'react';

/**
 * Reads once, again whenever `key` changes, and again every `everyMs` while mounted: for panels over history, whose
 * facts arrive within seconds of a webhook or a sync, so the page follows without a reload. A read that a newer one
 * replaced is aborted; an error is kept until the next read starts.
 */
export function usePolledRead<T>(read: (signal: AbortSignal) => Promise<T>, key: string, everyMs: number): { data: T | null; error: string | null } {
  const [tick, setTick] = useState(0);
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The latest read, so a caller's inline closure does not restart the polling on every render.
  const latest = useRef(read);
  useEffect(() => {
    latest.current = read;
  }, [read]);

  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    latest.current(abort.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [key, tick]);

  useEffect(() => {
    const timer = window.setInterval(() => setTick((t) => t + 1), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);

  return { data, error };
}
