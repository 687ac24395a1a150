import { useCallback, useEffect, useState } from 'react';
import { fetchStores } from '../lib/api';
import type { StoreSummary } from '../lib/types';

export type StoresState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; stores: StoreSummary[] };

/** Loads GET /api/stores once; `reload` tries again after an error. */
export function useStores(load: (signal?: AbortSignal) => Promise<StoreSummary[]> = fetchStores): [StoresState, () => void] {
  const [state, setState] = useState<StoresState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    setState({ status: 'loading' });
    load(abort.signal)
      .then((stores) => setState({ status: 'ready', stores }))
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => abort.abort();
  }, [load, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return [state, reload];
}
