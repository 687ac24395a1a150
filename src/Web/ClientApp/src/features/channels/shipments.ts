// How the shipments panel reads /api/tenants/{tenant}/stores/{store}/shipments; pure so it is unit tested.
import type { ShipmentSummary, ShipmentView } from './types';

export const groupLabels: Record<ShipmentView['group'], string> = {
  pending: 'Awaiting carrier',
  inTransit: 'In transit',
  delivered: 'Delivered',
  exception: 'Exception',
};

/** Days to deliver with one decimal ("2.5 days", "1.0 day"), or "—" before a parcel is delivered or when none was. */
export function formatDays(days: number | null): string {
  if (days === null) return '—';
  const text = days.toFixed(1);
  return `${text} ${text === '1.0' ? 'day' : 'days'}`;
}

/** The four counts and the average the panel leads with, in the order users scan them. */
export function summaryTiles(summary: ShipmentSummary): { id: string; label: string; value: string }[] {
  return [
    { id: 'in-transit', label: 'In transit', value: String(summary.inTransit) },
    { id: 'delivered', label: 'Delivered', value: String(summary.delivered) },
    { id: 'exceptions', label: 'Exceptions', value: String(summary.exceptions) },
    { id: 'pending', label: 'Awaiting carrier', value: String(summary.pending) },
    { id: 'average-days', label: 'Average time to deliver', value: formatDays(summary.averageDaysToDeliver) },
  ];
}

/** "out_for_delivery" → "Out for delivery". */
export function statusLabel(status: string): string {
  const words = status.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
