/**
 * Schema evolution of user-defined types (enums, domains, composite and range types): added, enums
 * gaining labels in place, redefined through a rename-and-convert, dropped. Redefined types are
 * reported as touched, so the views reading them are recreated.
 */
import type { Catalog, DomainDef, EnumDef } from '../catalog/types.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/quote.ts';
import { createComposite, createDomain, createEnum, createRange } from './ddl-objects.ts';
import { type ObjectScope, q } from './evolution-scope.ts';
import { change, Phase, type PlannedChange } from './evolution-types.ts';
import { tableKey } from './objects.ts';
import { designation } from './schema-objects.ts';

interface TypeStatement {
  sql: string;
  what: string;
  schema: string;
  name: string;
}

/** The CREATE statement of each enum, domain, composite and range type, by its designation. */
function typeStatements(catalog: { enums: EnumDef[]; domains: DomainDef[]; compositeTypes?: Catalog['compositeTypes']; ranges?: Catalog['ranges'] }) {
  const m = new Map<string, TypeStatement>();
  for (const e of catalog.enums) m.set(designation.enum(e), { sql: createEnum(e), what: 'enum', schema: e.schema, name: e.name });
  for (const d of catalog.domains) m.set(designation.domain(d), { sql: createDomain(d), what: 'domain', schema: d.schema, name: d.name });
  for (const c of catalog.compositeTypes ?? []) m.set(designation.type(c), { sql: createComposite(c), what: 'composite type', schema: c.schema, name: c.name });
  for (const r of catalog.ranges ?? []) m.set(designation.type(r), { sql: createRange(r), what: 'range type', schema: r.schema, name: r.name });
  return m;
}

/** Labels of `wanted` that `live` lacks, each with the label it follows, when live's labels keep their order. */
function addedLabels(live: EnumDef, wanted: EnumDef): { label: string; after: string | null }[] | null {
  let i = 0;
  for (const l of wanted.labels) if (l === live.labels[i]) i++;
  if (i !== live.labels.length) return null; // a label removed or reordered
  return wanted.labels.flatMap((l, k) => (live.labels.includes(l) ? [] : [{ label: l, after: k > 0 ? (wanted.labels[k - 1] as string) : null }]));
}

/** Types added, enums that gain labels, types redefined and (when the dataset owns its schemas) types dropped. */
export function diffTypes(scope: ObjectScope): { changes: PlannedChange[]; touched: string[] } {
  const { live, wanted } = scope;
  const liveTypes = typeStatements(live);
  const wantedTypes = typeStatements({
    enums: wanted.enums,
    domains: wanted.domains,
    compositeTypes: wanted.extras.compositeTypes,
    ranges: wanted.extras.ranges,
  });
  const liveEnums = new Map(live.enums.map((e) => [designation.enum(e), e]));
  const out: PlannedChange[] = [];
  const touched: string[] = [];
  [...wantedTypes].forEach(([key, w], order) => {
    const was = liveTypes.get(key);
    const at = { schema: w.schema, table: null, name: w.name, order };
    if (was?.sql === w.sql) return;
    if (!was) {
      // PostgreSQL has no CREATE TYPE IF NOT EXISTS: an existing type is let be, so the script can run twice.
      const sql = `DO $tdm$ BEGIN ${w.sql}; EXCEPTION WHEN duplicate_object THEN NULL; END $tdm$`;
      out.push(change({ ...at, kind: 'ADD_TYPE', phase: Phase.Types, detail: `${w.what} ${key.slice(key.indexOf(' ') + 1)}`, blocksLoad: true, sql: [sql] }));
      return;
    }
    const liveEnum = liveEnums.get(key);
    const wantedEnum = wanted.enums.find((e) => designation.enum(e) === key);
    const added = liveEnum && wantedEnum ? addedLabels(liveEnum, wantedEnum) : null;
    if (added) {
      const sql = added.map(
        (a) => `ALTER TYPE ${q(w)} ADD VALUE IF NOT EXISTS ${quoteLiteral(a.label)}${a.after === null ? '' : ` AFTER ${quoteLiteral(a.after)}`}`,
      );
      out.push(change({ ...at, kind: 'ALTER_TYPE', phase: Phase.Types, detail: `enum gains ${added.map((a) => a.label).join(', ')}`, blocksLoad: true, sql }));
      return;
    }
    // Anything else is a new type under the old name.
    touched.push(key);
    out.push(typeReplacement(live, key, w, at));
  });
  if (scope.full) {
    const schemas = new Set(wanted.schemas);
    for (const [key, was] of liveTypes) {
      if (wantedTypes.has(key) || !schemas.has(was.schema)) continue;
      out.push(
        change({
          kind: 'DROP_TYPE',
          phase: Phase.DropObjects,
          order: 2,
          schema: was.schema,
          table: null,
          name: was.name,
          detail: `${was.what} not in the dataset's schema`,
          destructive: true,
          sql: [`DROP ${key.startsWith('DOMAIN ') ? 'DOMAIN' : 'TYPE'} IF EXISTS ${q(was)}`],
        }),
      );
    }
  }
  return { changes: out, touched };
}

/**
 * A type redefined other than by new enum labels is a new type under the old name: the old one is
 * renamed, the live columns of that type move over through text, and the old one is dropped.
 */
function typeReplacement(live: Catalog, key: string, w: TypeStatement, at: { schema: string; table: null; name: string; order: number }): PlannedChange {
  const old = quoteQualified(w.schema, `${w.name}__replaced`);
  const kindWord = key.startsWith('DOMAIN ') ? 'DOMAIN' : 'TYPE';
  const columns = live.tables.flatMap((t) =>
    t.columns.filter((c) => c.dataType.replace(/\[\]$/, '').replaceAll('"', '') === `${w.schema}.${w.name}`.replaceAll('"', '')).map((c) => ({ t, c })),
  );
  return change({
    ...at,
    kind: 'ALTER_TYPE',
    phase: Phase.Types,
    detail: `${w.what} redefined: ${w.sql}${columns.length ? `; columns converted through text: ${columns.map(({ t, c }) => `${tableKey(t)}.${c.name}`).join(', ')}` : ''}`,
    destructive: true,
    blocksLoad: true,
    sql: [
      `ALTER ${kindWord} ${q(w)} RENAME TO ${quoteIdent(`${w.name}__replaced`)}`,
      w.sql,
      ...columns.map(
        ({ t, c }) =>
          `ALTER TABLE ${q(t)} ALTER COLUMN ${quoteIdent(c.name)} TYPE ${q(w)}${c.dataType.endsWith('[]') ? '[]' : ''} USING ${quoteIdent(c.name)}::text::${q(w)}${c.dataType.endsWith('[]') ? '[]' : ''}`,
      ),
      `DROP ${kindWord} ${old}`,
    ],
  });
}
