import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { formatLocalTimeWithSeconds } from '../../lib/format';
import type { StoreKey } from '../../lib/types';
import { BoardCanvas } from './BoardCanvas';
import { subscribeByToken, type ConnectionStatus } from '../../lib/live';
import { applyBranding, brandedTitle, isDefault, SALESDASH } from '../branding/branding';
import { useBoardsServices } from './services';
import { useLiveTiles } from './useLiveTiles';
import { wallDataSource, WidgetDataContext } from './widgets';
import { allGone, keyOfStore, rotateSeconds, showable, storesAndTokens, tokenStateAfter, type TokenState } from './wallState';

/** Links are re-checked this often, so a revoked link or an edited layout reaches the TV within a minute. */
export const WALL_RECHECK_MS = 60_000;

export interface WallboardPageProps {
  tokens: string[];
  search: string;
}

const indicator: Record<ConnectionStatus | 'stale', string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  stale: 'Not updating',
};

/**
 * A TV's view: full screen, large type, no chrome; rotates through the linked dashboards. Whenever figures cannot
 * be called live (connection lost, nothing received for a while) it says so and greys them out.
 */
export function WallboardPage({ tokens, search }: WallboardPageProps) {
  const { api } = useBoardsServices();
  const [states, setStates] = useState<ReadonlyMap<string, TokenState>>(new Map());
  const [index, setIndex] = useState(0);
  const [height, setHeight] = useState(() => window.innerHeight);
  const headerRef = useRef<HTMLElement>(null);
  const [headerHeight, setHeaderHeight] = useState(64);
  const seconds = rotateSeconds(search);
  const tokensKey = tokens.join(',');

  const check = useCallback(
    (signal?: AbortSignal) =>
      Promise.all(
        tokens.map((token) =>
          api.wall(token, signal).then(
            (view) => ({ token, outcome: { view } }),
            (error: unknown) => ({ token, outcome: { error } }),
          ),
        ),
      ).then((answers) => {
        if (signal?.aborted) return;
        setStates((previous) => new Map(answers.map(({ token, outcome }) => [token, tokenStateAfter(previous.get(token), outcome)])));
      }),
    // tokensKey stands for tokens: a new array with the same links is the same wallboard.
    [api, tokensKey],
  );

  useEffect(() => {
    const abort = new AbortController();
    void check(abort.signal);
    const handle = setInterval(() => void check(abort.signal), WALL_RECHECK_MS);
    return () => {
      abort.abort();
      clearInterval(handle);
    };
  }, [check]);

  useEffect(() => {
    const onResize = () => setHeight(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);

  useEffect(() => {
    if (headerRef.current) setHeaderHeight(headerRef.current.getBoundingClientRect().height);
  });

  const shown = useMemo(() => showable(tokens, states), [tokens, states]);
  const { stores, tokenFor } = useMemo(() => storesAndTokens(shown), [shown]);
  const tokenForRef = useRef(tokenFor);
  tokenForRef.current = tokenFor;
  const subscribe = useMemo(() => subscribeByToken((s: StoreKey) => tokenForRef.current.get(keyOfStore(s))), []);
  // A refused store usually means a revoked link: ask the server now rather than at the next check.
  const live = useLiveTiles(stores, subscribe, () => void check());
  // History widgets read through the shown board's own link, which answers only for the stores that board shows.
  const boardTokenRef = useRef<string | null>(null);
  boardTokenRef.current = shown.length > 0 ? shown[index % shown.length]!.token : null;
  const widgetData = useMemo(() => wallDataSource(() => boardTokenRef.current ?? undefined), []);

  useEffect(() => {
    if (shown.length < 2) return;
    const handle = setInterval(() => setIndex((i) => i + 1), seconds * 1000);
    return () => clearInterval(handle);
  }, [shown.length, seconds]);

  const branding = (shown.length > 0 ? shown[index % shown.length]!.view.branding : null) ?? SALESDASH;
  useEffect(() => {
    document.title = brandedTitle('Wallboard', branding);
    applyBranding(branding);
  }, [branding]);

  if (allGone(tokens, states)) {
    return (
      <main className="wall wall--message">
        <h1>This wallboard link no longer works</h1>
        <p>It was switched off or its dashboard was deleted. Ask the dashboard’s owner for a new link.</p>
      </main>
    );
  }

  const current = shown.length > 0 ? shown[index % shown.length]! : null;
  if (!current) {
    const unreachable = tokens.some((t) => states.get(t)?.status === 'unreachable');
    return (
      <main className="wall wall--message">
        <h1>{unreachable ? 'Cannot reach SalesDash' : 'Opening wallboard…'}</h1>
        {unreachable ? <p>Trying again every minute.</p> : null}
      </main>
    );
  }

  const board = current.view.dashboard;
  const boardStores = current.view.stores;
  const boardTiles = boardStores.flatMap((s) => {
    const t = live.tiles.get(keyOfStore(s));
    return t ? [t] : [];
  });
  const newest = boardTiles.reduce<string | null>((max, t) => (max === null || t.asOf > max ? t.asOf : max), null);
  const zone = boardTiles[0]?.timeZone ?? boardStores[0]?.timeZone ?? 'UTC';
  const state: ConnectionStatus | 'stale' = live.stale ? 'stale' : live.status;
  const paused = state !== 'live';
  const updated = newest ? formatLocalTimeWithSeconds(newest, zone) : null;

  return (
    <main className={`wall${paused ? ' wall--paused' : ''}`} data-testid="wallboard" data-state={state}>
      <header className="wall__bar" ref={headerRef} style={isDefault(branding) ? undefined : { borderBottom: `4px solid ${branding.accentColour}` }}>
        <span className="wall__brand" data-testid="wall-brand">
          {branding.logoDataUri ? <img className="wall__logo" src={branding.logoDataUri} alt={`${branding.productName} logo`} data-testid="wall-logo" /> : null}
          <span data-testid="wall-product">{branding.productName}</span>
        </span>
        <h1 className="wall__name">{board.name}</h1>
        {shown.length > 1 ? (
          <span className="wall__position" aria-label={`Dashboard ${(index % shown.length) + 1} of ${shown.length}`}>
            {(index % shown.length) + 1} / {shown.length}
          </span>
        ) : null}
        <span className={`wall__live wall__live--${state}`} role="status" data-testid="wall-status">
          {indicator[state]}
        </span>
        <span className="wall__updated" data-testid="wall-updated">
          {updated ? (
            <>
              Updated <time dateTime={newest!}>{updated}</time>
            </>
          ) : (
            'Waiting for figures'
          )}
        </span>
        <button
          type="button"
          className="wall__fullscreen"
          onClick={() => void document.documentElement.requestFullscreen?.().catch(() => {})}
        >
          Full screen
        </button>
      </header>
      {paused && live.receivedAt !== null ? (
        <p className="wall__banner" role="alert" data-testid="wall-banner">
          {state === 'stale'
            ? `No new figures since ${updated ?? 'the last update'} — these are not live.`
            : `Connection lost — reconnecting. Figures from ${updated ?? 'the last update'} are not live.`}
        </p>
      ) : null}
      <WidgetDataContext.Provider value={widgetData}>
        <BoardCanvas
          key={board.id}
          layout={board.layout}
          widgets={board.widgets}
          stores={boardStores}
          tiles={live.tiles}
          editable={false}
          fitHeightPx={height - headerHeight - 16}
        />
      </WidgetDataContext.Provider>
    </main>
  );
}
