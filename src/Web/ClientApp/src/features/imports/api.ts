// POST /api/tenants/{t}/stores/{s}/imports[/preview] (multipart, field "file") and GET /api/tenants/{t}/imports/{id}.
import type { StoreKey } from '../../lib/types';
import { getJson, request, storeApi, tenantApi } from '../../lib/http';
import type { ImportChoices, ImportPreview, ImportProgress } from './types';

/** The preview reads the file's head only: enough rows to check every column, however large the file. */
export const PREVIEW_BYTES = 256 * 1024;

function form(file: Blob, fileName: string, choices: ImportChoices): FormData {
  const body = new FormData();
  if (choices.format && choices.format !== 'custom') body.append('format', choices.format);
  const mapping = Object.fromEntries(Object.entries(choices.mapping).filter(([, header]) => header));
  if (choices.format === 'custom' && Object.keys(mapping).length > 0) body.append('mapping', JSON.stringify(mapping));
  if (choices.dateOrder) body.append('dateOrder', choices.dateOrder);
  body.append('file', file, fileName);
  return body;
}

function base(store: StoreKey): string {
  return storeApi(store, 'imports');
}

export function previewImport(store: StoreKey, file: File, choices: ImportChoices, signal?: AbortSignal): Promise<ImportPreview> {
  const partial = file.size > PREVIEW_BYTES;
  const body = form(partial ? file.slice(0, PREVIEW_BYTES) : file, file.name, choices);
  if (partial) body.append('partial', 'true');
  return request<ImportPreview>('POST', `${base(store)}/preview`, { body, signal });
}

export function startImport(store: StoreKey, file: File, choices: ImportChoices, signal?: AbortSignal): Promise<ImportProgress> {
  return request<ImportProgress>('POST', base(store), { body: form(file, file.name, choices), signal });
}

export function fetchImport(tenantId: string, id: string, signal?: AbortSignal): Promise<ImportProgress> {
  const url = tenantApi(tenantId, `imports/${encodeURIComponent(id)}`);
  return getJson<ImportProgress>(url, signal);
}
