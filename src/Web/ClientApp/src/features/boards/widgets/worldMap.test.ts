import { describe, expect, it } from 'vitest';
import { alpha2Of, worldCountries } from './worldMap';

describe('world outlines', () => {
  it('names every country by the ISO code orders carry, from the bundled atlas', () => {
    const names = worldCountries().features.map((f) => f.properties.name);
    expect(names.length).toBeGreaterThan(170);
    expect(names).toEqual(expect.arrayContaining(['GB', 'FR', 'DE', 'US', 'JP', 'BR', 'AU', 'IN']));
    const gb = worldCountries().features.find((f) => f.properties.name === 'GB');
    expect(gb?.properties.atlasName).toBe('United Kingdom');
    expect(gb?.geometry).toMatchObject({ type: 'MultiPolygon' });
  });

  it('turns ISO numeric ids into alpha-2 codes', () => {
    expect([alpha2Of('826'), alpha2Of('250'), alpha2Of(36), alpha2Of(undefined)]).toEqual(['GB', 'FR', 'AU', undefined]);
  });
});
