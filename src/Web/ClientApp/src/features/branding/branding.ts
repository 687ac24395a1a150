// The branding in force for an organisation (src/Web/Plans/Branding.cs) and how the app applies it.
import { useEffect, useState } from 'react';
import { send, tenantApi } from '../../lib/http';

export interface Branding {
  productName: string;
  primaryColour: string;
  accentColour: string;
  logoDataUri: string | null;
}

export const SALESDASH: Branding = { productName: 'SalesDash', primaryColour: '#1f6feb', accentColour: '#f59e0b', logoDataUri: null };

export const COLOUR = /^#[0-9a-fA-F]{6}$/;

export function isDefault(b: Branding): boolean {
  return b.productName === SALESDASH.productName && b.primaryColour === SALESDASH.primaryColour && b.accentColour === SALESDASH.accentColour && !b.logoDataUri;
}

/**
 * Puts an organisation's colours into the CSS variables the theme reads. SalesDash's own look stays the theme's:
 * only a white-label organisation's colours replace the filled-button and accent-bar colours.
 */
export function applyBranding(b: Branding, root: HTMLElement = document.documentElement): void {
  const own = !isDefault(b) && COLOUR.test(b.primaryColour) && COLOUR.test(b.accentColour);
  for (const [name, value] of [
    ['--accent-strong', b.primaryColour],
    ['--brand-primary', b.primaryColour],
    ['--brand-accent', b.accentColour],
  ] as const) {
    if (own) root.style.setProperty(name, value);
    else root.style.removeProperty(name);
  }
}

/** "Page · Product": the tab says whose product it is. */
export function brandedTitle(page: string, b: Branding): string {
  return `${page} · ${b.productName}`;
}

/** The organisation's branding in force (SalesDash's until it arrives or when the plan does not include white-label). */
export function useBranding(tenantId: string | undefined): Branding {
  const [branding, setBranding] = useState<Branding>(SALESDASH);
  useEffect(() => {
    if (!tenantId) {
      setBranding(SALESDASH);
      return;
    }
    const abort = new AbortController();
    send<Branding>('GET', tenantApi(tenantId, 'branding/effective'), undefined, abort.signal).then(
      (b) => setBranding(b),
      () => setBranding(SALESDASH),
    );
    return () => abort.abort();
  }, [tenantId]);
  useEffect(() => applyBranding(branding), [branding]);
  useBrandedTitle(branding);
  return branding;
}

/**
 * Pages title themselves "Page · SalesDash"; for a white-label organisation the tab names its product instead.
 * Watching the title element keeps every page's own title code unchanged.
 */
export function useBrandedTitle(branding: Branding): void {
  useEffect(() => {
    if (isDefault(branding)) return;
    const fix = () => {
      const suffix = `· ${SALESDASH.productName}`;
      if (document.title.endsWith(suffix)) document.title = `${document.title.slice(0, -suffix.length)}· ${branding.productName}`;
    };
    fix();
    const title = document.querySelector('title');
    if (!title) return;
    const observer = new MutationObserver(fix);
    observer.observe(title, { childList: true, characterData: true, subtree: true });
    return () => observer.disconnect();
  }, [branding]);
}
