/**
 * Provisioning with `migrate`: instead of dropping and recreating, the target's schema is brought
 * over to the dataset's by the evolution's statements, then the dataset's rows replace the rows of
 * its tables — in the provisioning transaction, so a failure leaves the target as it was. As in a
 * fresh provision, foreign keys are added after the load (a cycle cannot block it) and no user
 * trigger fires while rows load.
 */
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import { foreignKeySql, provisionedForeignKeys } from './ddl.ts';
import type { SchemaEvolution } from './evolution-types.ts';
import type { DatasetObjects } from './objects.ts';

const q = (o: { schema: string; name: string }) => quoteQualified(o.schema, o.name);

export interface MigratePlan {
  /** The migration, then: foreign keys of the dataset's tables dropped, user triggers disabled, rows emptied. */
  before: string[];
  /** After the load: foreign keys back (validated), triggers back in their states, materialized views refreshed. */
  after: string[];
}

export function planMigrateLoad(objects: DatasetObjects, evolution: SchemaEvolution): MigratePlan {
  const fks = provisionedForeignKeys(objects);
  const tables = objects.tables;
  const before = [
    ...evolution.changes.flatMap((c) => c.sql),
    ...fks.map(({ table, fk }) => `ALTER TABLE ${q(table)} DROP CONSTRAINT IF EXISTS ${quoteIdent(fk.name)}`),
    ...tables.map((t) => `ALTER TABLE ${q(t)} DISABLE TRIGGER USER`),
    ...(tables.length ? [`TRUNCATE TABLE ${tables.map(q).join(', ')}`] : []),
  ];
  const states = { D: 'DISABLE TRIGGER', R: 'ENABLE REPLICA TRIGGER', A: 'ENABLE ALWAYS TRIGGER' } as const;
  const after = [
    ...fks.map(({ table, fk }) => foreignKeySql(table, fk)),
    ...tables.map((t) => `ALTER TABLE ${q(t)} ENABLE TRIGGER USER`),
    ...objects.extras.triggers.flatMap((t) =>
      t.enabled === 'O' ? [] : [`ALTER TABLE ${quoteQualified(t.schema, t.table)} ${states[t.enabled]} ${quoteIdent(t.name)}`],
    ),
    ...objects.extras.views.filter((v) => v.materialized && v.populated).map((v) => `REFRESH MATERIALIZED VIEW ${q(v)}`),
  ];
  return { before, after };
}
