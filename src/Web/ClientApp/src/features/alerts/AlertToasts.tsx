import { useEffect, useRef, useState } from 'react';
import { keepConnected, pageHub, type HubConnectionLike } from '../../lib/live';
import { showBrowserNotification } from './browserNotifications';
import './alerts.css';

/** The hub's "alert" message (src/Web/Alerts/AlertNotifiers.cs AlertToast). */
export interface AlertToastMessage {
  alertId: string;
  tenantId: string;
  storeId: string;
  ruleName: string;
  kind: string;
  status: string;
  text: string;
  firedAt: string;
  resolvedAt: string | null;
}

export interface AlertToastsProps {
  /** The organisations whose alerts this person hears of. */
  tenantIds: readonly string[];
  navigate: (path: string) => void;
  /** A lease on the page's one connection (shared with the live tiles); tests pass a fake. */
  connect?: () => HubConnectionLike;
  /** Also shown as a system notification when the person turned them on (Alerts page). */
  notifyBrowser?: (toast: AlertToastMessage, open: () => void) => void;
}

/** The newest toasts are kept; older ones fall off rather than cover the page. */
const MAX_TOASTS = 4;

export const alertHref = (t: AlertToastMessage) => `/t/${encodeURIComponent(t.tenantId)}/alerts?alert=${encodeURIComponent(t.alertId)}`;

const defaultNotifyBrowser = (t: AlertToastMessage, open: () => void) => {
  showBrowserNotification(t.status === 'Resolved' ? `Resolved: ${t.ruleName}` : t.ruleName, t.text, `${t.alertId}:${t.status}`, open);
};

const leasePageHub = () => pageHub().lease();

/**
 * The app shell's one toast host: joins each organisation's alert group on the page's shared hub connection (so every
 * page gets toasts, not only a store's dashboard, without a second socket) and shows each alert as a toast that leads
 * to the alert.
 */
export function AlertToasts({ tenantIds, navigate, connect = leasePageHub, notifyBrowser = defaultNotifyBrowser }: AlertToastsProps) {
  const [toasts, setToasts] = useState<AlertToastMessage[]>([]);
  const key = [...tenantIds].sort().join('\u0000');
  const notifyRef = useRef(notifyBrowser);
  notifyRef.current = notifyBrowser;
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;
  const connectRef = useRef(connect);
  connectRef.current = connect;

  useEffect(() => {
    if (!key) return undefined;
    const tenants = key.split('\u0000');
    const connection = connectRef.current();
    const onAlert = (toast: AlertToastMessage) => {
      setToasts((current) => [toast, ...current.filter((t) => !(t.alertId === toast.alertId && t.status === toast.status))].slice(0, MAX_TOASTS));
      notifyRef.current(toast, () => navigateRef.current(alertHref(toast)));
    };
    connection.on('alert', onAlert as (...args: never[]) => void);
    // Joined after every connect and reconnect: a reconnect is a new server connection with no groups.
    const stop = keepConnected(connection, () => void Promise.all(tenants.map((t) => connection.invoke('SubscribeAlerts', t))).catch(() => undefined));
    return () => {
      connection.off('alert', onAlert as (...args: never[]) => void);
      void stop();
    };
  }, [key]);

  if (toasts.length === 0) return null;
  const dismiss = (t: AlertToastMessage) => setToasts((current) => current.filter((x) => x !== t));
  return (
    <div className="alert-toasts" aria-live="polite" data-testid="alert-toasts">
      {toasts.map((t) => (
        <div key={`${t.alertId}:${t.status}`} className={`alert-toast alert-toast--${t.status.toLowerCase()}`} role="status" data-testid={`toast-${t.alertId}`}>
          <a
            href={alertHref(t)}
            onClick={(e) => {
              e.preventDefault();
              dismiss(t);
              navigate(alertHref(t));
            }}
          >
            <strong>{t.status === 'Resolved' ? `Resolved: ${t.ruleName}` : t.ruleName}</strong>
            <span className="alert-toast__text">{t.text}</span>
          </a>
          <button type="button" className="icon-button" aria-label={`Dismiss ${t.ruleName}`} onClick={() => dismiss(t)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
