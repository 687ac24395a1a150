// Light/dark theme: the system's choice unless the person picks one, remembered in this browser. The choice is a
// data-theme attribute on <html> that theme.css reads, so every CSS variable (and the charts) follow it.
import { useCallback, useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Scheme = 'light' | 'dark';

const storageKey = 'salesdash.theme';
const changeEvent = 'salesdash:theme';
const lightQuery = '(prefers-color-scheme: light)';

function storage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    // Storage can be blocked (private modes, kiosk policies); the theme then lasts for the page only.
    return null;
  }
}

export function readThemeChoice(): ThemeChoice {
  const stored = storage()?.getItem(storageKey);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/** Sets the attribute theme.css reads; call before the first render so the page never flashes the wrong theme. */
export function applyThemeChoice(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

export function setThemeChoice(choice: ThemeChoice): void {
  const store = storage();
  if (choice === 'system') store?.removeItem(storageKey);
  else store?.setItem(storageKey, choice);
  applyThemeChoice(choice);
  window.dispatchEvent(new Event(changeEvent));
}

function systemScheme(): Scheme {
  return typeof window.matchMedia === 'function' && window.matchMedia(lightQuery).matches ? 'light' : 'dark';
}

/** The scheme on screen: the person's choice, else the system's. */
export function effectiveScheme(choice: ThemeChoice = readThemeChoice()): Scheme {
  return choice === 'system' ? systemScheme() : choice;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(changeEvent, onChange);
  window.addEventListener('storage', onChange);
  const list = typeof window.matchMedia === 'function' ? window.matchMedia(lightQuery) : null;
  list?.addEventListener('change', onChange);
  return () => {
    window.removeEventListener(changeEvent, onChange);
    window.removeEventListener('storage', onChange);
    list?.removeEventListener('change', onChange);
  };
}

/** Re-renders when the theme changes, from the switch, another tab or the system. */
export function useScheme(): Scheme {
  return useSyncExternalStore(subscribe, () => effectiveScheme(), () => 'dark' as const);
}

export function useThemeChoice(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const choice = useSyncExternalStore(subscribe, readThemeChoice, () => 'system' as const);
  const set = useCallback((next: ThemeChoice) => setThemeChoice(next), []);
  return [choice, set];
}
