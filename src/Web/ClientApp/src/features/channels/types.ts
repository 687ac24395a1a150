// Shapes of /api/channels (src/Web/Channels/ChannelsApi.cs); credentials are only ever named, never returned.

export interface ChannelCatalogEntry {
  channel: string;
  kind: 'webhook' | 'poller';
  requiredSettings: string[];
  optionalSettings: string[];
  credentials: string[];
  webhookPath: string | null;
  description: string;
}

export interface ChannelSyncStatus {
  state: 'never' | 'ok' | 'error' | 'rate-limited' | 'credentials-rejected' | string;
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  eventsIngested: number;
  nextSyncAt: string | null;
  lastSummary: string | null;
}

export interface ChannelConnectionView {
  channel: string;
  kind: string;
  enabled: boolean;
  settings: Record<string, string>;
  credentialsSet: string[];
  pollIntervalSeconds: number;
  webhookPath: string | null;
  status: ChannelSyncStatus;
}

export interface ChannelConnectionRequest {
  enabled: boolean;
  settings: Record<string, string>;
  credentials: Record<string, string>;
  pollIntervalSeconds: number | null;
}

export interface ConnectionCheck {
  ok: boolean;
  detail: string;
}
