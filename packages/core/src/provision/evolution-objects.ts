/**
 * Schema evolution of everything beside the tables: schemas, extensions and sequences here; types
 * (evolution-user-types.ts), routines, views (evolution-views.ts: recreated when anything they read
 * changes, a view holds no data), then triggers, rules, policies and comments
 * (evolution-dependents.ts). See evolution.ts for the model.
 */
import type { Catalog } from '../catalog/types.ts';
import { quoteIdent } from '../db/quote.ts';
import { sequenceOptions } from './ddl-objects.ts';
import { diffComments, diffOnTables } from './evolution-dependents.ts';
import { type ObjectScope, q } from './evolution-scope.ts';
import { change, Phase, type PlannedChange } from './evolution-types.ts';
import { diffTypes } from './evolution-user-types.ts';
import { diffViews } from './evolution-views.ts';
import { type DatasetObjects, tableKey } from './objects.ts';
import { designation } from './schema-objects.ts';

export function diffObjects(live: Catalog, wanted: DatasetObjects, wantedCatalog: Catalog, tableChanges: PlannedChange[]): PlannedChange[] {
  const scope: ObjectScope = { live, wanted, full: wanted.extras.full, wantedTables: new Set(wanted.tables.map(tableKey)) };
  const out: PlannedChange[] = [];
  const liveSchemas = new Set(live.schemas);
  for (const s of wanted.schemas) {
    if (liveSchemas.has(s)) continue;
    out.push(
      change({
        kind: 'ADD_SCHEMA',
        phase: Phase.Prepare,
        schema: s,
        table: null,
        name: s,
        detail: `schema ${s}`,
        blocksLoad: true,
        sql: [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`],
      }),
    );
  }
  const liveExtensions = new Set((live.extensions ?? []).map((e) => e.name));
  for (const e of wantedCatalog.extensions ?? []) {
    if (liveExtensions.has(e.name)) continue;
    out.push(
      change({
        kind: 'ADD_EXTENSION',
        phase: Phase.Prepare,
        order: 1,
        schema: e.schema,
        table: null,
        name: e.name,
        detail: `extension ${e.name} ${e.version}`,
        blocksLoad: true,
        sql: [
          `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(e.schema)}`,
          `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}`,
        ],
      }),
    );
  }
  const types = diffTypes(scope);
  out.push(...types.changes, ...diffSequences(scope));
  const routines = diffRoutines(scope);
  out.push(...routines.changes);
  // What views read that changes: tables whose columns change, routines and types replaced.
  const touched = new Set<string>([...routines.touched, ...types.touched]);
  for (const c of tableChanges) if (c.phase === Phase.Columns && c.table) touched.add(designation.table({ schema: c.schema, name: c.table }));
  const views = diffViews(scope, touched);
  out.push(...views.changes, ...diffOnTables(scope, views.recreated), ...diffComments(scope, views.recreated));
  return out;
}
function diffSequences(scope: ObjectScope): PlannedChange[] {
  const { live, wanted } = scope;
  const out: PlannedChange[] = [];
  const liveSeqs = new Map(live.sequences.map((s) => [designation.sequence(s), s]));
  for (const s of wanted.sequences) {
    if (s.identity || liveSeqs.has(designation.sequence(s.def))) continue;
    out.push(
      change({
        kind: 'ADD_SEQUENCE',
        phase: Phase.Types,
        order: -1,
        schema: s.def.schema,
        table: null,
        name: s.def.name,
        detail: `sequence ${q(s.def)}`,
        blocksLoad: true,
        sql: [`CREATE SEQUENCE IF NOT EXISTS ${q(s.def)} ${sequenceOptions(s.def, true)}`],
      }),
    );
  }
  if (scope.full) {
    const wantedSeqs = new Set(wanted.sequences.map((s) => designation.sequence(s.def)));
    const identity = new Set(live.tables.flatMap((t) => t.columns.filter((c) => c.identity !== null && c.sequence).map((c) => c.sequence as string)));
    for (const [key, s] of liveSeqs) {
      if (wantedSeqs.has(key) || identity.has(`${s.schema}.${s.name}`) || !wanted.schemas.includes(s.schema)) continue;
      out.push(
        change({
          kind: 'DROP_SEQUENCE',
          phase: Phase.DropObjects,
          order: 3,
          schema: s.schema,
          table: null,
          name: s.name,
          detail: `sequence not in the dataset's schema (its position ${s.lastValue ?? 'unused'} is lost)`,
          destructive: true,
          sql: [`DROP SEQUENCE IF EXISTS ${q(s)}`],
        }),
      );
    }
  }
  return out;
}

function diffRoutines(scope: ObjectScope): { changes: PlannedChange[]; touched: string[] } {
  const { live, wanted } = scope;
  const liveRoutines = new Map((live.routines ?? []).map((r) => [designation.routine(r), r]));
  const out: PlannedChange[] = [];
  const touched: string[] = [];
  wanted.extras.routines.forEach((r, order) => {
    const key = designation.routine(r);
    const was = liveRoutines.get(key);
    if (was?.definition === r.definition) return;
    if (was) touched.push(key);
    // A routine returning a table's or a view's rows waits for them.
    const readsRelations = (wanted.extras.dependsOn.get(key) ?? []).some((d) => /^(TABLE|VIEW|MATERIALIZED VIEW) /.test(d));
    const replace = r.kind === 'AGGREGATE' ? [`DROP AGGREGATE IF EXISTS ${q(r)}(${r.identityArguments})`] : [];
    out.push(
      change({
        kind: was ? 'ALTER_FUNCTION' : 'ADD_FUNCTION',
        phase: readsRelations ? Phase.AfterViews : Phase.Routines,
        order: readsRelations ? -1 : order,
        schema: r.schema,
        table: null,
        name: `${r.name}(${r.identityArguments})`,
        detail: `${r.kind.toLowerCase()} ${was ? 'redefined' : 'added'}`,
        // A default or CHECK may call it while rows load.
        blocksLoad: !was,
        sql: [...replace, r.definition],
      }),
    );
  });
  if (scope.full) {
    const wantedKeys = new Set(wanted.extras.routines.map(designation.routine));
    for (const [key, r] of liveRoutines) {
      if (wantedKeys.has(key) || !wanted.schemas.includes(r.schema)) continue;
      out.push(
        change({
          kind: 'DROP_FUNCTION',
          phase: Phase.DropObjects,
          order: 1,
          schema: r.schema,
          table: null,
          name: `${r.name}(${r.identityArguments})`,
          detail: `${r.kind.toLowerCase()} not in the dataset's schema`,
          destructive: true,
          sql: [`DROP ${r.kind} IF EXISTS ${q(r)}(${r.identityArguments})`],
        }),
      );
    }
  }
  return { changes: out, touched };
}
