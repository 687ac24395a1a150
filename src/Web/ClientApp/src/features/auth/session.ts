// Sign-in state for the app shell: who is signed in, and a redirect to the sign-in page whenever the API says 401.
import { clearKeptFigures } from '../../lib/pwa/offline';
import { disablePush } from '../../lib/pwa/push';
import { send } from '../../lib/http';

export interface MeOrganisation {
  id: string;
  name: string;
  role: 'Viewer' | 'Analyst' | 'Admin' | 'Owner';
  timeZone: string;
  reportingCurrency: string;
  stores: { tenantId: string; storeId: string; name: string }[];
}

export interface Me {
  user: { id: string; email: string; displayName: string };
  organisations: MeOrganisation[];
}

const roleRank = { Viewer: 0, Analyst: 1, Admin: 2, Owner: 3 } as const;

/** Whether a member with `role` may do what needs `least` (roles include those below them). */
export function hasRole(role: MeOrganisation['role'] | undefined, least: MeOrganisation['role']): boolean {
  return role !== undefined && roleRank[role] >= roleRank[least];
}

/** Pages that work without signing in: the sign-in pages themselves and wallboards (share tokens). */
export function isPublicPath(path: string): boolean {
  return path === '/sign-in' || path === '/sign-up' || path.startsWith('/wall/');
}

export function signInPath(next: string): string {
  return next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in';
}

/** Where to go after signing in: the page that sent the person here, if it is one of ours. */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/**
 * Wraps fetch once so any 401 from /api (other than the sign-in calls themselves) sends the person to the sign-in
 * page and back afterwards, whichever feature made the call.
 */
export function installSignInRedirect(win: Window = window): void {
  const original = win.fetch.bind(win);
  win.fetch = async (input, init) => {
    const response = await original(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.pathname : input.url;
    const path = url.startsWith('http') ? new URL(url).pathname : url;
    if (response.status === 401 && path.startsWith('/api/') && !path.startsWith('/api/auth/') && !isPublicPath(win.location.pathname)) {
      win.location.assign(signInPath(win.location.pathname + win.location.search));
    }
    return response;
  };
}

/** After a sign-in or before a sign-out: nothing the last person kept on this device (figures, push) outlives their session. */
async function forgetDevice(unsubscribe: boolean): Promise<void> {
  try {
    if (unsubscribe) await disablePush();
  } catch {
    // No push here (or no network): the figures are still forgotten below.
  }
  await clearKeptFigures().catch(() => undefined);
}

async function thenForget<T>(result: Promise<T>): Promise<T> {
  const value = await result;
  await forgetDevice(false);
  return value;
}

export const authApi = {
  me: () => send<Me>('GET', '/api/me'),
  signIn: (email: string, password: string) => thenForget(send<Me>('POST', '/api/auth/sign-in', { email, password })),
  signUp: (input: { email: string; password: string; displayName: string; organisationName: string; timeZone: string; reportingCurrency: string }) =>
    thenForget(send<Me>('POST', '/api/auth/sign-up', input)),
  signOut: async () => {
    await forgetDevice(true);
    return send<void>('POST', '/api/auth/sign-out');
  },
  acceptInvitation: (token: string) => send<{ id: string; name: string; role: string }>('POST', `/api/invitations/${encodeURIComponent(token)}/accept`),
};
