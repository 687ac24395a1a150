// Shapes of the channel routes (src/Web/Channels/ChannelsApi.cs); credentials are only ever named, never returned.

export interface ChannelCatalogEntry {
  channel: string;
  kind: 'webhook' | 'poller';
  requiredSettings: string[];
  optionalSettings: string[];
  credentials: string[];
  /** Secrets the channel can use but does not need (PayPal's REST app, for online verification). */
  optionalCredentials?: string[];
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

/** A parcel at its newest tracking state (GET /api/tenants/{tenant}/stores/{store}/shipments). */
export interface ShipmentView {
  trackingCode: string;
  carrier: string;
  status: string;
  statusDetail: string | null;
  updatedAt: string;
  estimatedDelivery: string | null;
  publicUrl: string | null;
  group: 'pending' | 'inTransit' | 'delivered' | 'exception';
  orderId: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  daysToDeliver: number | null;
}

export interface ShipmentSummary {
  parcels: number;
  pending: number;
  inTransit: number;
  delivered: number;
  exceptions: number;
  averageDaysToDeliver: number | null;
}

export interface ShipmentsResponse {
  tenantId: string;
  storeId: string;
  timeZone: string;
  period: { firstDate: string; lastDate: string; fromUtc: string; toUtc: string };
  summary: ShipmentSummary;
  parcels: ShipmentView[];
}
