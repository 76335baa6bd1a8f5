/**
 * Domain mode: realistic data for a business domain from a domain pack (packs.ts), without any
 * source database. The scenario's entities become tables (catalog.ts) and each table streams its
 * rows from the compiled scenario (plan.ts), so memory stays bounded whatever the row counts.
 */
import { InvalidInputError } from '../../errors.ts';
import { type GeneratedDataset, type RowCounts, rowCountFor } from '../types.ts';
import { domainCatalog } from './catalog.ts';
import { loadDomainPack, resolveScenario } from './packs.ts';
import { compileScenario } from './compile.ts';
import { entityRows } from './plan.ts';

export interface DomainOptions {
  /** A pack name (`ecommerce`, `banking`…; see `listDomainPacks`). */
  domain: string;
  /** A scenario of the pack; its first scenario when absent. */
  scenario?: string | null;
  /** Per entity (`order`, `public.order`) or `*`; the scenario's defaults otherwise. */
  rowCounts?: RowCounts;
  /** Same seed, same rows. Default 1. */
  seed?: number | string;
}

const SCHEMA = 'public';

/**
 * Generates a scenario of a domain pack: mode DOMAIN, source `synthetic:domain/<pack>/<scenario>@<version>`,
 * tables in load order streaming PostgreSQL text rows. Row counts: an entity's own count, else `*`,
 * else the scenario's default. Owned children (an order's items) are shared among their parents
 * within the relationship's cardinality; `meta.relationships` says how, and `meta.notes` when the
 * counts forced a bound to bend. Unknown domain, scenario or row-count key: InvalidInputError
 * listing what is available.
 */
export async function generateFromDomain(options: DomainOptions): Promise<GeneratedDataset> {
  const pack = loadDomainPack(options.domain);
  const scenario = resolveScenario(pack, options.scenario);
  const seed = options.seed ?? 1;
  const entities = scenario.entities.map(([name]) => name);
  const known = new Set(['*', ...entities, ...entities.map((e) => `${SCHEMA}.${e}`)]);
  const unknown = Object.keys(options.rowCounts ?? {}).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new InvalidInputError(`row counts name ${unknown.join(', ')}, not entities of ${pack.name}/${scenario.scenario}; entities: ${entities.join(', ')}`, {
      unknown,
      entities,
    });
  }
  const counts: Record<string, number> = {};
  for (const e of entities) {
    const n = rowCountFor(options.rowCounts, SCHEMA, e, scenario.rows[e] ?? 0);
    if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(`row count of ${e} must be a non-negative integer, got ${n}`, { entity: e });
    counts[e] = n;
  }
  const compiled = compileScenario(scenario, counts, String(seed));
  const catalog = domainCatalog(compiled, `${pack.name}-${scenario.scenario}`);

  const relationships = compiled.links.map((l) => {
    const d = l.distribution;
    let least = Number.POSITIVE_INFINITY;
    let most = 0;
    for (let p = 0; p < l.parent.count; p++) {
      const n = (d.offsets[p + 1] as number) - (d.offsets[p] as number);
      if (n < least) least = n;
      if (n > most) most = n;
    }
    return {
      parent: l.parent.name,
      child: l.child.name,
      field: l.field,
      cardinality: l.spec.cardinality ?? '0..n',
      skew: l.spec.skew ?? 0,
      parents: l.parent.count,
      children: l.child.count,
      fewest: l.parent.count ? least : 0,
      most,
      bent: d.bent,
    };
  });
  const notes = relationships
    .filter((r) => r.bent)
    .map((r) =>
      r.bent === 'min'
        ? `${r.children} ${r.child} rows cannot give each of ${r.parents} ${r.parent} rows the minimum of ${r.cardinality}: some have ${r.fewest}`
        : `${r.children} ${r.child} rows exceed ${r.parents} ${r.parent} rows × the maximum of ${r.cardinality}: some have ${r.most}`,
    );

  return {
    mode: 'DOMAIN',
    catalog,
    schemaVersionId: null,
    sourceUrl: `synthetic:domain/${pack.name}/${scenario.scenario}@${pack.version}`,
    tables: compiled.entities.map((plan) => ({
      table: {
        schema: SCHEMA,
        name: plan.name,
        columns: plan.fields.filter((f) => !f.virtual).map((f) => ({ name: f.name, pgType: f.type.dataType, nullable: f.nullable })),
      },
      rowCount: plan.count,
      rows: (batchSize: number) => entityRows(plan, Math.max(1, batchSize)),
    })),
    meta: {
      pack: pack.name,
      version: pack.version,
      scenario: scenario.scenario,
      seed,
      rowCounts: counts,
      relationships,
      rules: scenario.rules.map((r) => r.name),
      ...(notes.length ? { notes } : {}),
    },
  };
}
