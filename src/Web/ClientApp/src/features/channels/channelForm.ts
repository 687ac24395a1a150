// The connection form's logic, pure so it is unit tested: which fields a channel asks for, what a save sends,
// and how a sync status reads. Secrets are never shown: a stored one reads "saved", and leaving it empty keeps it.
import type { ChannelCatalogEntry, ChannelConnectionRequest, ChannelConnectionView, ChannelSyncStatus } from './types';

export interface FormField {
  /** "settings.x" or "credentials.x": unique within the form, and the key the server's validation errors use. */
  id: string;
  name: string;
  label: string;
  group: 'settings' | 'credentials';
  required: boolean;
  secret: boolean;
  /** A secret the server already holds; the input stays empty and says "saved". */
  saved: boolean;
}

export interface FormState {
  enabled: boolean;
  values: Record<string, string>;
  pollIntervalSeconds: string;
}

/** "marketplaceIds" → "Marketplace ids", "webhookSecret" → "Webhook secret". */
export function labelFor(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldsFor(entry: ChannelCatalogEntry, connection?: ChannelConnectionView): FormField[] {
  const saved = new Set(connection?.credentialsSet ?? []);
  return [
    ...entry.requiredSettings.map((name) => setting(name, true)),
    ...entry.optionalSettings.map((name) => setting(name, false)),
    ...entry.credentials.map(
      (name): FormField => ({
        id: `credentials.${name}`,
        name,
        label: labelFor(name),
        group: 'credentials',
        required: !saved.has(name),
        secret: true,
        saved: saved.has(name),
      }),
    ),
    ...(entry.optionalCredentials ?? []).map(
      (name): FormField => ({
        id: `credentials.${name}`,
        name,
        label: labelFor(name),
        group: 'credentials',
        required: false,
        secret: true,
        saved: saved.has(name),
      }),
    ),
  ];
}

function setting(name: string, required: boolean): FormField {
  return { id: `settings.${name}`, name, label: labelFor(name), group: 'settings', required, secret: false, saved: false };
}

/** The form as it opens: stored settings filled in, secrets empty. */
export function initialState(entry: ChannelCatalogEntry, connection?: ChannelConnectionView): FormState {
  const values: Record<string, string> = {};
  for (const field of fieldsFor(entry, connection)) {
    values[field.id] = field.group === 'settings' ? (connection?.settings[field.name] ?? '') : '';
  }
  return {
    enabled: connection?.enabled ?? true,
    values,
    pollIntervalSeconds: connection ? String(connection.pollIntervalSeconds) : '',
  };
}

/** Messages per field id for what must be filled before saving; empty when the form can be sent. */
export function validate(entry: ChannelCatalogEntry, connection: ChannelConnectionView | undefined, state: FormState): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fieldsFor(entry, connection)) {
    if (field.required && !(state.values[field.id] ?? '').trim()) errors[field.id] = 'Required.';
  }
  if (entry.kind === 'poller' && state.pollIntervalSeconds.trim()) {
    const seconds = Number(state.pollIntervalSeconds);
    if (!Number.isInteger(seconds) || seconds < 60) errors.pollIntervalSeconds = 'At least 60 seconds.';
  }
  return errors;
}

/** What Save sends: blank settings are left out, and blank secrets too, so the server keeps the stored ones. */
export function toRequest(entry: ChannelCatalogEntry, state: FormState): ChannelConnectionRequest {
  const settings: Record<string, string> = {};
  const credentials: Record<string, string> = {};
  for (const field of fieldsFor(entry)) {
    const value = (state.values[field.id] ?? '').trim();
    if (!value) continue;
    if (field.group === 'settings') settings[field.name] = value;
    else credentials[field.name] = value;
  }
  const interval = state.pollIntervalSeconds.trim();
  return {
    enabled: state.enabled,
    settings,
    credentials,
    pollIntervalSeconds: entry.kind === 'poller' && interval ? Number(interval) : null,
  };
}

/** The server's validation errors ("settings.x": [...]) as one message per field id. */
export function serverErrors(fieldErrors: Record<string, string[]>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [key, messages] of Object.entries(fieldErrors)) errors[key] = messages.join(' ');
  return errors;
}

const stateLabels: Record<string, string> = {
  never: 'Not synced yet',
  ok: 'OK',
  error: 'Error',
  'rate-limited': 'Rate limited',
  'credentials-rejected': 'Credentials rejected',
};

export interface StatusLine {
  label: string;
  value: string;
}

/** The status panel's lines, in the order a person scans them. */
export function statusLines(status: ChannelSyncStatus, kind: string, formatTime: (iso: string) => string): StatusLine[] {
  const when = (iso: string | null, otherwise: string) => (iso ? formatTime(iso) : otherwise);
  return [
    { label: 'State', value: stateLabels[status.state] ?? status.state },
    { label: 'Last sync', value: when(status.lastSyncAt, 'Never') },
    { label: 'Last success', value: when(status.lastSuccessAt, 'Never') },
    { label: 'Last error', value: status.lastError ?? 'None' },
    { label: 'Events ingested', value: String(status.eventsIngested) },
    {
      label: 'Next sync',
      value: status.nextSyncAt
        ? formatTime(status.nextSyncAt)
        : status.state === 'credentials-rejected'
          ? 'After the credentials are saved again'
          : kind === 'webhook'
            ? 'When a webhook arrives'
            : 'On the next scheduler pass',
    },
  ];
}

/** Whether the state needs a person (shown as an alert). */
export function needsAttention(status: ChannelSyncStatus): boolean {
  return status.state === 'error' || status.state === 'credentials-rejected' || status.state === 'rate-limited';
}
