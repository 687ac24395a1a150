import { useCallback, useEffect, useState } from 'react';

/** The message a failed request leaves for a page to show. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A page's list read: on mount, whenever `read` changes (callers wrap it in useCallback over what it reads), every
 * `everyMs` when given, and on `reload()` after the page changed something. A read that succeeds clears the error; one
 * that fails keeps the figures already shown and says why.
 */
export function useReload<T>(read: () => Promise<T>, everyMs?: number) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setData(await read());
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [read]);

  useEffect(() => {
    void reload();
    if (!everyMs) return undefined;
    const timer = window.setInterval(() => void reload(), everyMs);
    return () => window.clearInterval(timer);
  }, [reload, everyMs]);

  return { data, error, setError, reload };
}
