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
  // 'listening' once the server has this page in every organisation's alert group: from then on no alert is missed.
  const [listening, setListening] = useState(false);
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
    // The page's one connection is in the store's group and the organisation's alert group, and the server sends to
    // both: the second copy of the same news is dropped here, so one alert is one toast and one notification.
    const seen = new Set<string>();
    const onAlert = (toast: AlertToastMessage) => {
      const news = `${toast.alertId}:${toast.status}`;
      if (seen.has(news)) return;
      seen.add(news);
      setToasts((current) => [toast, ...current.filter((t) => !(t.alertId === toast.alertId && t.status === toast.status))].slice(0, MAX_TOASTS));
      notifyRef.current(toast, () => navigateRef.current(alertHref(toast)));
    };
    let stopped = false;
    connection.on('alert', onAlert as (...args: never[]) => void);
    connection.onreconnecting(() => setListening(false));
    connection.onclose(() => setListening(false));
    // Joined after every connect and reconnect: a reconnect is a new server connection with no groups.
    const join = () =>
      void Promise.all(tenants.map((t) => connection.invoke('SubscribeAlerts', t))).then(
        () => setListening(!stopped),
        () => setListening(false),
      );
    const stop = keepConnected(connection, join);
    return () => {
      stopped = true;
      setListening(false);
      connection.off('alert', onAlert as (...args: never[]) => void);
      void stop();
    };
  }, [key]);

  if (!key) return null;
  const dismiss = (t: AlertToastMessage) => setToasts((current) => current.filter((x) => x !== t));
  // The live region is on the page before any toast, so screen readers announce the first one too.
  return (
    <div className="alert-toasts" aria-live="polite" data-testid="alert-toasts" data-state={listening ? 'listening' : 'connecting'}>
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
