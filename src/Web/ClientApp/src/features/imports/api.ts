// POST /api/imports/{tenantId}/{storeId} (multipart, field "file") and GET /api/imports/{id}.
import type { StoreKey } from '../../lib/types';
import { getJson, request } from '../../lib/http';
import type { ImportFormatChoice, ImportProgress } from './types';

export function startImport(store: StoreKey, file: File, format: ImportFormatChoice, signal?: AbortSignal): Promise<ImportProgress> {
  const body = new FormData();
  body.append('file', file, file.name);
  if (format) body.append('format', format);
  const url = `/api/imports/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}`;
  return request<ImportProgress>('POST', url, { body, signal });
}

export function fetchImport(id: string, signal?: AbortSignal): Promise<ImportProgress> {
  const url = `/api/imports/${encodeURIComponent(id)}`;
  return getJson<ImportProgress>(url, signal);
}
