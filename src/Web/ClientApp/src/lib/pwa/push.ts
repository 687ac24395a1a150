// This browser's web push subscription: asked for on a click, stored by the server for the signed-in person, and
// removed on sign-out so the next person on a shared device does not receive the last one's alerts.
import { getJson, send } from '../http';

export type PushStatus = 'unsupported' | 'denied' | 'off' | 'on';

export function pushSupported(win: Window = window): boolean {
  return 'serviceWorker' in win.navigator && 'PushManager' in win && 'Notification' in win;
}

/** The base64url application server key as the bytes PushManager.subscribe wants. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function registration(win: Window): Promise<ServiceWorkerRegistration | undefined> {
  return win.navigator.serviceWorker.getRegistration('/');
}

export async function pushStatus(win: Window = window): Promise<PushStatus> {
  if (!pushSupported(win)) return 'unsupported';
  if ((win as Window & { Notification: typeof Notification }).Notification.permission === 'denied') return 'denied';
  const sub = await (await registration(win))?.pushManager.getSubscription();
  return sub ? 'on' : 'off';
}

/** Asks for permission (must run from a click), subscribes with the server's key and stores the subscription. */
export async function enablePush(win: Window = window): Promise<PushStatus> {
  if (!pushSupported(win)) return 'unsupported';
  const permission = await (win as Window & { Notification: typeof Notification }).Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const { publicKey } = await getJson<{ publicKey: string }>('/api/push/key');
  const reg = (await registration(win)) ?? (await win.navigator.serviceWorker.ready);
  let sub = await reg.pushManager.getSubscription();
  const key = keyBytes(publicKey);
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    // Subscribed under another key (a re-keyed cluster): the push service would refuse our tokens for it.
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await send('POST', '/api/push/subscriptions', sub.toJSON());
  return 'on';
}

/** Removes this browser's subscription from the server and the push service. */
export async function disablePush(win: Window = window): Promise<PushStatus> {
  if (!pushSupported(win)) return 'unsupported';
  const sub = await (await registration(win))?.pushManager.getSubscription();
  if (sub) {
    try {
      await send('DELETE', '/api/push/subscriptions', { endpoint: sub.endpoint });
    } catch {
      // Already gone on the server (404) or signed out: unsubscribing below still stops the pushes.
    }
    await sub.unsubscribe();
  }
  return 'off';
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return true;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}
