import { useEffect, useState } from 'react';

export type Fetched<T> =
  | { status: 'loading'; data: T | null }
  | { status: 'ready'; data: T }
  | { status: 'error'; data: T | null; message: string };

/**
 * Loads `load` again whenever `key` changes, aborting the previous request so a quick change of period never lets an
 * older, slower answer overwrite a newer one. The last figures stay on screen (dimmed) while the next ones load.
 */
export function useFetched<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Fetched<T> {
  const [state, setState] = useState<Fetched<T>>({ status: 'loading', data: null });

  useEffect(() => {
    const abort = new AbortController();
    setState((previous) => ({ status: 'loading', data: previous.data }));
    load(abort.signal)
      .then((data) => {
        if (!abort.signal.aborted) setState({ status: 'ready', data });
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        setState((previous) => ({ status: 'error', data: previous.data, message: error instanceof Error ? error.message : String(error) }));
      });
    return () => abort.abort();
    // `load` is rebuilt on every render; `key` says when what it asks for changed.
  }, [key]);

  return state;
}
