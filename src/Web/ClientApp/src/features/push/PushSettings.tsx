import { useEffect, useState } from 'react';
import { disablePush, enablePush, pushStatus, type PushStatus } from '../../lib/pwa/push';

/** "Enable push notifications" for this browser: alerts arrive on the phone even when SalesDash is closed. */
export function PushSettings() {
  const [status, setStatus] = useState<PushStatus | 'loading'>('loading');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    pushStatus().then(
      (s) => live && setStatus(s),
      () => live && setStatus('off'),
    );
    return () => {
      live = false;
    };
  }, []);
  const run = (action: () => Promise<PushStatus>) => async () => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await action());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="push-settings" aria-labelledby="push-settings-title" data-testid="push-settings">
      <h2 id="push-settings-title">Push notifications</h2>
      <p>Alerts that would show as a toast on an open page also arrive on this device when SalesDash is closed.</p>
      {status === 'unsupported' ? <p role="status">This browser cannot receive push notifications (on iPhone, add SalesDash to the home screen first).</p> : null}
      {status === 'denied' ? <p role="status">Notifications are blocked for this site: allow them in the browser's site settings, then try again.</p> : null}
      {status === 'on' ? <p role="status" data-testid="push-status">Push notifications are on for this device.</p> : null}
      {status === 'off' || status === 'denied' ? (
        <button type="button" onClick={run(() => enablePush())} disabled={busy}>
          Enable push notifications
        </button>
      ) : null}
      {status === 'on' ? (
        <button type="button" onClick={run(() => disablePush())} disabled={busy}>
          Turn off push notifications
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="push-settings__error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** The person's own settings: what reaches this device. */
export function NotificationsPage() {
  return (
    <main className="page">
      <h1>Notifications</h1>
      <PushSettings />
    </main>
  );
}
