// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { applyBranding, brandedTitle, SALESDASH } from './branding';

describe('applyBranding', () => {
  it("puts a white-label organisation's colours into the theme variables", () => {
    const root = document.createElement('div');
    applyBranding({ productName: 'Acme Pulse', primaryColour: '#112233', accentColour: '#445566', logoDataUri: null }, root);
    expect(root.style.getPropertyValue('--accent-strong')).toBe('#112233');
    expect(root.style.getPropertyValue('--brand-accent')).toBe('#445566');
  });

  it("leaves SalesDash's own theme alone and clears an earlier organisation's colours", () => {
    const root = document.createElement('div');
    applyBranding({ productName: 'Acme Pulse', primaryColour: '#112233', accentColour: '#445566', logoDataUri: null }, root);
    applyBranding(SALESDASH, root);
    expect(root.style.getPropertyValue('--accent-strong')).toBe('');
    expect(root.style.getPropertyValue('--brand-primary')).toBe('');
  });

  it('titles pages with the product name', () => {
    expect(brandedTitle('Dashboards', { ...SALESDASH, productName: 'Acme Pulse' })).toBe('Dashboards · Acme Pulse');
  });
});
