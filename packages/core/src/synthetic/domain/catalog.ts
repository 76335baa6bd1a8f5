/**
 * The catalog of a compiled scenario: one table per entity in schema `public` with its columns,
 * an identity primary key (its sequence moved past the loaded ids on provisioning, so inserts
 * after a load just work), uniques, CHECKs (the pack's and one per enumerated text column),
 * foreign keys with an index each, and the pack's enum types.
 */
import type { Catalog, EnumDef } from '../../catalog/types.ts';
import { quoteIdent, quoteLiteral } from '../../db/quote.ts';
import { syntheticCatalog, type TableSpec } from '../catalog.ts';
import type { CompiledScenario, EntityPlan } from './plan.ts';

const SCHEMA = 'public';

function tableSpec(plan: EntityPlan): TableSpec {
  const pk = plan.primaryKey.length === 1 ? plan.byName.get(plan.primaryKey[0] as string) : undefined;
  const identityField = pk && plan.sequence && pk.type.kind === 'int' ? pk : undefined;
  const fields = plan.fields.filter((f) => !f.virtual);
  const checks: NonNullable<TableSpec['checks']> = Object.entries(plan.checks).map(([name, expression]) => ({
    name: `${plan.name}_${name}_check`.slice(0, 63),
    expression,
    columns: fields.filter((c) => new RegExp(`\\b${c.name}\\b`).test(expression)).map((c) => c.name),
  }));
  for (const f of fields) {
    if (f.choices && f.type.kind === 'text' && f.type.typeKind === 'base') {
      checks.push({
        name: `${plan.name}_${f.name}_check`.slice(0, 63),
        expression: `${quoteIdent(f.name)} IN (${f.choices.map((v) => quoteLiteral(String(v))).join(', ')})`,
        columns: [f.name],
      });
    }
  }
  return {
    schema: SCHEMA,
    name: plan.name,
    columns: fields.map((f) => ({
      name: f.name,
      dataType: f.type.dataType,
      nullable: f.nullable,
      identity: f === identityField && plan.sequence ? { start: plan.sequence.start, increment: plan.sequence.step } : false,
      comment: f.spec.description ?? null,
    })),
    primaryKey: plan.primaryKey,
    uniques: fields.filter((f) => f.unique && !(plan.primaryKey.length === 1 && plan.primaryKey[0] === f.name)).map((f) => [f.name]),
    checks,
    foreignKeys: fields
      .filter((f) => f.refTo)
      .map((f) => ({ columns: [f.name], references: { schema: SCHEMA, table: (f.refTo as EntityPlan).name, columns: (f.refTo as EntityPlan).primaryKey } })),
    comment: plan.description,
    rowCount: plan.count,
  };
}

/** The catalog describing the scenario's tables, named `database`. */
export function domainCatalog(compiled: CompiledScenario, database: string): Catalog {
  const used = new Set(compiled.entities.flatMap((e) => e.fields.filter((f) => !f.virtual && f.type.typeKind === 'enum').map((f) => f.type.typeName)));
  const enums: EnumDef[] = Object.entries(compiled.enums)
    .filter(([name]) => used.has(name))
    .map(([name, labels]) => ({ schema: SCHEMA, name, labels }));
  return syntheticCatalog(database, compiled.entities.map(tableSpec), enums);
}
