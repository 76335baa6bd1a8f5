import { createHash } from 'node:crypto';
import type { Catalog } from './types.ts';

/**
 * The content hash of a catalog's structure: two discoveries of an unchanged database give the same
 * hash. Row counts, estimates and sequence positions are data, not structure, so they are left out.
 */
export function catalogHash(catalog: Catalog): string {
  const structure = {
    schemas: [...catalog.schemas].sort(),
    // Which extensions, not their versions: a minor upgrade is not a schema change.
    extensions: (catalog.extensions ?? []).map((e) => `${e.schema}.${e.name}`).sort(),
    enums: catalog.enums,
    domains: catalog.domains,
    sequences: catalog.sequences.map(({ lastValue: _lastValue, ...s }) => s),
    tables: catalog.tables.map(({ rowCount: _rc, ownRowCount: _own, rowEstimate: _est, ...t }) => t),
    compositeTypes: catalog.compositeTypes,
    ranges: catalog.ranges,
    routines: catalog.routines,
    // Whether a materialized view holds data is state, not structure.
    views: catalog.views?.map(({ populated: _populated, ...v }) => v),
    triggers: catalog.triggers,
    rules: catalog.rules,
    policies: catalog.policies,
    comments: catalog.comments,
    dependencies: catalog.dependencies,
  };
  return createHash('sha256').update(canonicalJson(structure)).digest('hex');
}

/** JSON with object keys sorted, so equal values always serialise to equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}
