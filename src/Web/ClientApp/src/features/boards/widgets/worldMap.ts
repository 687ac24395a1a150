// World outlines for the order map, bundled from world-atlas (Natural Earth, 1:110m) at build time. Features are
// renamed to their ISO alpha-2 code, the code the facts carry, so map data is matched by code, never by an
// English name that differs between sources ("United States of America" vs "United States").
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { numericToAlpha2 } from 'i18n-iso-countries';
import world from 'world-atlas/countries-110m.json';

export interface CountryFeature {
  type: 'Feature';
  id?: string | number;
  /** name: the ISO alpha-2 code, or "n/a-<atlas name>" for the few disputed areas that have none. */
  properties: { name: string; atlasName: string };
  geometry: unknown;
}

export interface CountryCollection {
  type: 'FeatureCollection';
  features: CountryFeature[];
}

let cached: CountryCollection | null = null;

/** GeoJSON of every country, named by alpha-2 code; built once. */
export function worldCountries(): CountryCollection {
  if (cached) return cached;
  const topology = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const collection = feature(topology, topology.objects.countries) as unknown as {
    features: { id?: string | number; properties: { name: string }; geometry: unknown }[];
  };
  cached = {
    type: 'FeatureCollection',
    features: collection.features.map((f) => ({
      type: 'Feature',
      ...(f.id === undefined ? {} : { id: f.id }),
      properties: { name: alpha2Of(f.id) ?? `n/a-${f.properties.name}`, atlasName: f.properties.name },
      geometry: f.geometry,
    })),
  };
  return cached;
}

/** The alpha-2 code of an ISO numeric id ("826" → "GB"); undefined when the atlas gives none. */
export function alpha2Of(numericId: string | number | undefined): string | undefined {
  if (numericId === undefined || numericId === '') return undefined;
  return numericToAlpha2(String(numericId).padStart(3, '0'));
}
