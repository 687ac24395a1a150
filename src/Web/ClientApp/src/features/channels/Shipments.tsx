import { useState } from 'react';
import type { StoreKey } from '../../lib/types';
import { CsvButton } from '../../lib/csv/CsvButton';
import { PeriodSelect } from '../../lib/PeriodSelect';
import { usePolledRead } from '../../lib/usePolledRead';
import { channelsApi, type ChannelsApi } from './api';
import { formatDays, groupLabels, statusLabel, summaryTiles } from './shipments';
import type { ShipmentsResponse } from './types';

/** How often the panel is read again. */
const refreshMs = 5000;

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A store's parcels from carrier tracking: how many are in transit, delivered or in trouble, and how long delivery takes. */
export function Shipments({ store, api = channelsApi }: { store: StoreKey; api?: ChannelsApi }) {
  const [period, setPeriod] = useState('last30');
  // Tracking events reach history within seconds; the panel follows without a reload.
  const { data, error } = usePolledRead<ShipmentsResponse>(
    (signal) => api.shipments(store.tenantId, store.storeId, period, signal),
    `${store.tenantId}/${store.storeId}/${period}`,
    refreshMs,
  );

  return (
    <section className="shipments" aria-labelledby="shipments-title" data-testid="shipments">
      <h2 id="shipments-title">Shipments</h2>
      <PeriodSelect value={period} onChange={setPeriod} />
      {error ? <p role="alert">Could not load the shipments: {error}</p> : null}
      {data ? (
        <>
          <dl className="shipments__summary">
            {summaryTiles(data.summary).map((tile) => (
              <div key={tile.id} data-testid={`shipments-${tile.id}`}>
                <dt>{tile.label}</dt>
                <dd>{tile.value}</dd>
              </div>
            ))}
          </dl>
          {data.parcels.length === 0 ? (
            <p>No tracking events in this period. Connect Shipping (EasyPost) above and point its webhook at the address shown.</p>
          ) : (
            <>
            <CsvButton tableId="shipments-parcels" name="Shipments" />
            <table id="shipments-parcels" data-testid="shipments-parcels">
              <thead>
                <tr>
                  <th scope="col">Tracking code</th>
                  <th scope="col">Carrier</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last update</th>
                  <th scope="col">Time to deliver</th>
                </tr>
              </thead>
              <tbody>
                {data.parcels.map((parcel) => (
                  <tr key={`${parcel.carrier}/${parcel.trackingCode}`} data-testid={`parcel-${parcel.trackingCode}`} data-group={parcel.group}>
                    <td>{parcel.publicUrl ? <a href={parcel.publicUrl}>{parcel.trackingCode}</a> : parcel.trackingCode}</td>
                    <td>{parcel.carrier}</td>
                    <td>
                      {statusLabel(parcel.status)} <small>({groupLabels[parcel.group]})</small>
                    </td>
                    <td>{dateFormat.format(new Date(parcel.updatedAt))}</td>
                    <td>{formatDays(parcel.daysToDeliver)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </>
          )}
        </>
      ) : null}
    </section>
  );
}
