// POST /api/imports/{tenantId}/{storeId} (multipart, field "file") and GET /api/imports/{id}.
import type { StoreKey } from '../../lib/types';
import { readProblem } from '../history/api';
import type { ImportFormatChoice, ImportProgress } from './types';

export async function startImport(store: StoreKey, file: File, format: ImportFormatChoice, signal?: AbortSignal): Promise<ImportProgress> {
  const body = new FormData();
  body.append('file', file, file.name);
  if (format) body.append('format', format);
  const url = `/api/imports/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}`;
  const response = await fetch(url, { method: 'POST', body, headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
  if (!response.ok) throw await readProblem(response, 'The upload');
  return (await response.json()) as ImportProgress;
}

export async function fetchImport(id: string, signal?: AbortSignal): Promise<ImportProgress> {
  const url = `/api/imports/${encodeURIComponent(id)}`;
  const response = await fetch(url, { headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
  if (!response.ok) throw await readProblem(response, `GET ${url}`);
  return (await response.json()) as ImportProgress;
}
