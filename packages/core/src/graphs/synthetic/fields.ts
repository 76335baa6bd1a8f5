/**
 * Field-level lineage of a generated dataset: per column, the input it was generated for — a column
 * of the schema version (SCHEMA), a test-case field (TEST_CASE), a form control (URL) or a field of a
 * domain pack (DOMAIN) — and the generator. Keys and columns the mode added itself are GENERATED.
 */
import type { FieldLineageInput } from '../../lineage/fields.ts';
import type { GeneratedDataset } from '../../synthetic/types.ts';

interface FormMeta {
  table: string;
  url: string;
  columns: { column: string; name: string | null; id: string | null; kind: string }[];
}
interface EntityMeta {
  entity: string;
  table: string;
  fields: string[];
}

const snake = (s: string) =>
  s
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();

export function generatedFields(generated: GeneratedDataset, ids: { schemaVersionId: string; testCaseId: string | null }): FieldLineageInput[] {
  const meta = generated.meta as { forms?: FormMeta[]; entities?: EntityMeta[]; pack?: string; version?: string };
  const out: FieldLineageInput[] = [];
  for (const { table } of generated.tables) {
    const form = meta.forms?.find((f) => f.table === table.name);
    const entity = meta.entities?.find((e) => e.table === table.name);
    for (const c of table.columns) {
      const at = { schema: table.schema, table: table.name, column: c.name };
      const generatedHere: FieldLineageInput = {
        ...at,
        originKind: 'GENERATED',
        origin: `${table.name}.${c.name}`,
        transform: `${generated.mode.toLowerCase()} generator`,
      };
      switch (generated.mode) {
        case 'SCHEMA':
          out.push({
            ...at,
            originKind: 'SCHEMA_COLUMN',
            origin: `${table.schema}.${table.name}.${c.name}`,
            originId: ids.schemaVersionId,
            transform: 'schema generator',
          });
          break;
        case 'URL': {
          const control = form?.columns.find((x) => x.column === c.name);
          out.push(
            control
              ? {
                  ...at,
                  originKind: 'FORM_INPUT',
                  origin: `${form?.url}#${control.name ?? control.id ?? c.name}`,
                  transform: `form generator (${control.kind})`,
                }
              : generatedHere,
          );
          break;
        }
        case 'TEST_CASE': {
          const field = entity?.fields.find((f) => snake(f) === c.name || f === c.name);
          out.push(
            field
              ? { ...at, originKind: 'TEST_CASE_FIELD', origin: `${entity?.entity}.${field}`, originId: ids.testCaseId, transform: 'test-case generator' }
              : generatedHere,
          );
          break;
        }
        case 'DOMAIN':
          out.push({ ...at, originKind: 'PACK_FIELD', origin: `${meta.pack}@${meta.version}/${table.name}.${c.name}`, transform: 'domain pack generator' });
          break;
      }
    }
  }
  return out;
}
