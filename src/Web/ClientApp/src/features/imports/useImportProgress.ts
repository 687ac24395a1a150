import { useEffect, useState } from 'react';
import { fetchImport } from './api';
import { isFinished, pollIntervalMs } from './progress';
import type { ImportProgress } from './types';

/**
 * Follows one import: asks for its progress every half second until it completes or fails. A failed poll (a
 * restart, a blip) is retried on the next tick rather than ending the view; `pollError` says it is happening.
 */
export function useImportProgress(first: ImportProgress | null): { progress: ImportProgress | null; pollError: string | null } {
  const [progress, setProgress] = useState<ImportProgress | null>(first);
  const [pollError, setPollError] = useState<string | null>(null);
  const id = first?.id ?? null;

  useEffect(() => {
    setProgress(first);
    setPollError(null);
    if (!first || isFinished(first)) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const next = await fetchImport(first.tenantId, first.id, abort.signal);
        if (abort.signal.aborted) return;
        setProgress(next);
        setPollError(null);
        if (isFinished(next)) return;
      } catch (error: unknown) {
        if (abort.signal.aborted) return;
        setPollError(error instanceof Error ? error.message : String(error));
      }
      timer = setTimeout(() => void tick(), pollIntervalMs);
    };
    timer = setTimeout(() => void tick(), pollIntervalMs);
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
    // Only a new import restarts the polling; `first` is that import's opening answer.
  }, [id]);

  return { progress, pollError };
}
