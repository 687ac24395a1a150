// What a wallboard shows, worked out from the answers to /api/wall/{token} for each token in its URL.
import { ApiError } from '../../lib/api';
import type { StoreKey, StoreSummary } from '../../lib/types';
import { storeKey } from './figures';
import type { WallView } from './types';

export type TokenState =
  | { status: 'loading' }
  | { status: 'ok'; view: WallView }
  /** Revoked (410) or unknown (404): the link will not work again. */
  | { status: 'gone' }
  /** The server could not be asked (network down): keep what was there and ask again. */
  | { status: 'unreachable'; previous: WallView | null };

export function tokenStateAfter(previous: TokenState | undefined, outcome: { view: WallView } | { error: unknown }): TokenState {
  if ('view' in outcome) return { status: 'ok', view: outcome.view };
  if (outcome.error instanceof ApiError && (outcome.error.status === 404 || outcome.error.status === 410)) return { status: 'gone' };
  const kept = previous?.status === 'ok' ? previous.view : previous?.status === 'unreachable' ? previous.previous : null;
  return { status: 'unreachable', previous: kept };
}

/** The dashboards to rotate through, in URL order: working links, and ones that cannot be re-checked right now. */
export function showable(tokens: readonly string[], states: ReadonlyMap<string, TokenState>): { token: string; view: WallView }[] {
  return tokens.flatMap((token) => {
    const state = states.get(token);
    if (state?.status === 'ok') return [{ token, view: state.view }];
    if (state?.status === 'unreachable' && state.previous) return [{ token, view: state.previous }];
    return [];
  });
}

/** True once every link has answered that it no longer works. */
export function allGone(tokens: readonly string[], states: ReadonlyMap<string, TokenState>): boolean {
  return tokens.length > 0 && tokens.every((t) => states.get(t)?.status === 'gone');
}

/** Every store any shown dashboard may show, and which token lets the wallboard watch it. */
export function storesAndTokens(shown: readonly { token: string; view: WallView }[]): { stores: StoreSummary[]; tokenFor: Map<string, string> } {
  const tokenFor = new Map<string, string>();
  const stores: StoreSummary[] = [];
  for (const { token, view } of shown) {
    for (const store of view.stores) {
      if (tokenFor.has(storeKey(store))) continue;
      tokenFor.set(storeKey(store), token);
      stores.push(store);
    }
  }
  return { stores, tokenFor };
}

/** The rotation interval from ?rotate=, 5 s to an hour, 30 s when absent or unreadable. */
export function rotateSeconds(search: string): number {
  const value = Number(new URLSearchParams(search).get('rotate'));
  return Number.isFinite(value) && value >= 5 && value <= 3600 ? Math.round(value) : 30;
}

export function keyOfStore(store: StoreKey): string {
  return storeKey(store);
}
