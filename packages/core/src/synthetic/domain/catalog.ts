/**
 * The catalog of a compiled scenario: one table per entity in schema `public` with its columns,
 * an identity primary key (its sequence moved past the loaded ids on provisioning, so inserts
 * after a load just work), uniques, CHECKs (the pack's and one per enumerated text column),
 * foreign keys with an index each, and the pack's enum types.
 */
import type { Catalog, CheckDef, ColumnDef, EnumDef, IndexDef, SequenceDef, TableDef } from '../../catalog/types.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../../db/quote.ts';
import type { CompiledScenario, EntityPlan, FieldPlan } from './plan.ts';

const SCHEMA = 'public';

function constraintName(table: string, suffix: string): string {
  const name = `${table}_${suffix}`;
  return name.length <= 63 ? name : name.slice(0, 63);
}

function sequenceName(plan: EntityPlan, f: FieldPlan): string {
  return constraintName(plan.name, `${f.name}_seq`);
}

function column(plan: EntityPlan, f: FieldPlan, position: number, identity: boolean): ColumnDef {
  return {
    name: f.name,
    position,
    dataType: f.type.dataType,
    typeSchema: f.type.typeSchema,
    typeName: f.type.typeName,
    typeKind: f.type.typeKind,
    elementType: null,
    nullable: f.nullable && !plan.primaryKey.includes(f.name),
    default: null,
    maxLength: f.type.maxLength,
    numericPrecision: f.type.precision,
    numericScale: f.type.scale,
    identity: identity ? 'BY_DEFAULT' : null,
    generated: null,
    sequence: identity ? `${SCHEMA}.${sequenceName(plan, f)}` : null,
    comment: f.spec.description ?? null,
  };
}

function table(plan: EntityPlan): { table: TableDef; sequence: SequenceDef | null } {
  const pk = plan.primaryKey.length === 1 ? plan.byName.get(plan.primaryKey[0] as string) : undefined;
  const identityField = pk && plan.sequence && pk.type.kind === 'int' ? pk : undefined;
  const columns = plan.fields.filter((f) => !f.virtual);
  const checks: CheckDef[] = Object.entries(plan.checks).map(([name, expression]) => ({
    name: constraintName(plan.name, `${name}_check`),
    expression,
    columns: columns.filter((c) => new RegExp(`\\b${c.name}\\b`).test(expression)).map((c) => c.name),
    inherited: false,
    noInherit: false,
  }));
  for (const f of columns) {
    if (f.choices && f.type.kind === 'text' && f.type.typeKind === 'base') {
      checks.push({
        name: constraintName(plan.name, `${f.name}_check`),
        expression: `${quoteIdent(f.name)} IN (${f.choices.map((v) => quoteLiteral(String(v))).join(', ')})`,
        columns: [f.name],
        inherited: false,
        noInherit: false,
      });
    }
  }
  const refs = columns.filter((f) => f.refTo);
  const indexes: IndexDef[] = refs.map((f) => {
    const name = constraintName(plan.name, `${f.name}_idx`);
    return {
      name,
      columns: [f.name],
      unique: false,
      primary: false,
      method: 'btree',
      definition: `CREATE INDEX ${quoteIdent(name)} ON ${quoteQualified(SCHEMA, plan.name)} USING btree (${quoteIdent(f.name)})`,
      constraint: null,
    };
  });
  const def: TableDef = {
    schema: SCHEMA,
    name: plan.name,
    kind: 'TABLE',
    partitionOf: null,
    partitionKind: null,
    partitionBound: null,
    partitionKey: null,
    columns: columns.map((f, i) => column(plan, f, i + 1, f === identityField)),
    primaryKey: plan.primaryKey.length ? { name: constraintName(plan.name, 'pkey'), columns: plan.primaryKey } : null,
    foreignKeys: refs.map((f) => {
      const parent = f.refTo as EntityPlan;
      return {
        name: constraintName(plan.name, `${f.name}_fkey`),
        columns: [f.name],
        referencedSchema: SCHEMA,
        referencedTable: parent.name,
        referencedColumns: parent.primaryKey,
        onDelete: 'NO ACTION',
        onUpdate: 'NO ACTION',
        matchType: 'SIMPLE',
        deferrable: false,
        initiallyDeferred: false,
        notValid: false,
      };
    }),
    uniques: columns
      .filter((f) => f.unique && !(plan.primaryKey.length === 1 && plan.primaryKey[0] === f.name))
      .map((f) => ({ name: constraintName(plan.name, `${f.name}_key`), columns: [f.name], deferrable: false, nullsNotDistinct: false })),
    checks,
    exclusions: [],
    indexes,
    rowEstimate: null,
    rowCount: plan.count,
    ownRowCount: plan.count,
    comment: plan.description,
  };
  const sequence: SequenceDef | null =
    identityField && plan.sequence
      ? {
          schema: SCHEMA,
          name: sequenceName(plan, identityField),
          dataType: identityField.type.dataType,
          start: String(plan.sequence.start),
          increment: String(plan.sequence.step),
          min: '1',
          max: identityField.type.dataType === 'bigint' ? '9223372036854775807' : identityField.type.dataType === 'smallint' ? '32767' : '2147483647',
          cycle: false,
          ownedBy: `${SCHEMA}.${plan.name}.${identityField.name}`,
          lastValue: null,
        }
      : null;
  return { table: def, sequence };
}

/** The catalog describing the scenario's tables, named `database`. */
export function domainCatalog(compiled: CompiledScenario, database: string): Catalog {
  const built = compiled.entities.map(table);
  const used = new Set(compiled.entities.flatMap((e) => e.fields.filter((f) => !f.virtual && f.type.typeKind === 'enum').map((f) => f.type.typeName)));
  const enums: EnumDef[] = Object.entries(compiled.enums)
    .filter(([name]) => used.has(name))
    .map(([name, labels]) => ({ schema: SCHEMA, name, labels }));
  return {
    database,
    serverVersion: 'synthetic',
    schemas: [SCHEMA],
    extensions: [],
    enums,
    domains: [],
    sequences: built.flatMap((b) => (b.sequence ? [b.sequence] : [])),
    tables: built.map((b) => b.table),
  };
}
