// Optional browser notifications for alerts (the Notification API). Permission is asked only when the person clicks the
// button on the Alerts page (browsers block or penalise asking on page load); the choice is kept in this browser.

const KEY = 'salesdash.alerts.browserNotifications';

/** What a page can find about notifications in this browser. */
export type BrowserNotificationState = 'unsupported' | 'denied' | 'off' | 'on';

interface NotificationHost {
  Notification?: { permission: NotificationPermission; requestPermission(): Promise<NotificationPermission> } & (new (title: string, options?: NotificationOptions) => Notification);
  localStorage?: Storage;
}

const host = (): NotificationHost => (typeof window === 'undefined' ? {} : (window as unknown as NotificationHost));

export function browserNotificationState(w: NotificationHost = host()): BrowserNotificationState {
  if (!w.Notification) return 'unsupported';
  if (w.Notification.permission === 'denied') return 'denied';
  return w.Notification.permission === 'granted' && w.localStorage?.getItem(KEY) === 'on' ? 'on' : 'off';
}

/** Called from a click: asks for permission if needed and remembers the choice. */
export async function enableBrowserNotifications(w: NotificationHost = host()): Promise<BrowserNotificationState> {
  if (!w.Notification) return 'unsupported';
  const permission = w.Notification.permission === 'granted' ? 'granted' : await w.Notification.requestPermission();
  if (permission === 'granted') w.localStorage?.setItem(KEY, 'on');
  return browserNotificationState(w);
}

export function disableBrowserNotifications(w: NotificationHost = host()): BrowserNotificationState {
  w.localStorage?.removeItem(KEY);
  return browserNotificationState(w);
}

/** Shows one alert as a system notification when the person turned them on; a click brings the tab to the alert. */
export function showBrowserNotification(title: string, body: string, tag: string, onClick: () => void, w: NotificationHost = host()): boolean {
  if (browserNotificationState(w) !== 'on' || !w.Notification) return false;
  const notification = new w.Notification(title, { body, tag });
  notification.onclick = () => {
    window.focus();
    onClick();
    notification.close();
  };
  return true;
}
