/**
 * Weighted fusion: per unified field the highest-weight source that says something about a property
 * decides it (type, length, nullability, uniqueness, values, pattern, bounds); every source's fields
 * are kept (a field only the test case fills in stays, chosen from TEST_CASE); each disagreement
 * between sources is recorded as a conflict with the value that won.
 */
import { groupEntities, groupFields } from './match.ts';
import {
  DEFAULT_WEIGHTS,
  type FieldOrigin,
  type FusedSchema,
  type FusionConflict,
  type SourceEntity,
  type SourceField,
  type SourceKind,
  type UnifiedEntity,
  type UnifiedField,
} from './types.ts';

type Member = { entity: SourceEntity; field: SourceField };
const PROPERTIES = ['dataType', 'maxLength', 'nullable', 'unique', 'enumValues', 'pattern', 'min', 'max'] as const;

const show = (v: unknown) => (Array.isArray(v) ? v.join('|') : String(v));

function fuseField(
  entityName: string,
  members: Member[],
  entityWeight: number,
  weight: (k: SourceKind) => number,
  conflicts: FusionConflict[],
  entityOf: (e: SourceEntity) => string,
): UnifiedField {
  const ordered = [...members].sort((a, b) => weight(b.entity.kind) - weight(a.entity.kind));
  const first = ordered[0] as Member;
  const pick = <K extends (typeof PROPERTIES)[number]>(key: K): { value: SourceField[K] | null; from: SourceKind } => {
    const winner = ordered.find((m) => m.field[key] !== null && m.field[key] !== undefined);
    const values = ordered.filter((m) => m.field[key] !== null && m.field[key] !== undefined);
    const distinct = new Set(values.map((m) => show(m.field[key])));
    if (winner && distinct.size > 1) {
      conflicts.push({
        entity: entityName,
        field: first.field.name,
        property: key,
        values: values.map((m) => ({ kind: m.entity.kind, value: show(m.field[key]) })),
        chosen: show(winner.field[key]),
        chosenFrom: winner.entity.kind,
      });
    }
    return { value: winner ? winner.field[key] : null, from: winner?.entity.kind ?? first.entity.kind };
  };
  const kinds = new Set(ordered.map((m) => m.entity.kind));
  const ref = ordered.find((m) => m.field.references)?.field.references ?? null;
  const refEntity = ref ? ordered.find((m) => m.field.references)?.entity : null;
  return {
    name: first.field.name,
    dataType: (pick('dataType').value as string | null) ?? 'text',
    maxLength: pick('maxLength').value as number | null,
    nullable: (pick('nullable').value as boolean | null) ?? true,
    unique: (pick('unique').value as boolean | null) ?? false,
    enumValues: pick('enumValues').value as string[] | null,
    pattern: pick('pattern').value as string | null,
    min: pick('min').value as string | null,
    max: pick('max').value as string | null,
    exampleValues: [...new Set(ordered.flatMap((m) => m.field.exampleValues))].slice(0, 10),
    confidence: Math.round(([...kinds].reduce((n, k) => n + weight(k), 0) / entityWeight) * 1000) / 1000,
    chosenFrom: first.entity.kind,
    primaryKey: first.field.primaryKey,
    references: ref && refEntity ? { entity: entityOf({ ...refEntity, name: ref.entity }), field: ref.field } : null,
    sources: ordered.map(
      (m): FieldOrigin => ({ kind: m.entity.kind, ref: m.entity.ref, entity: m.entity.name, name: m.field.name, dataType: m.field.dataType }),
    ),
  };
}

/** Fuses the entities of two or more sources. */
export function fuseEntities(entities: SourceEntity[], weights: Partial<Record<SourceKind, number>> = {}): FusedSchema {
  const w = { ...DEFAULT_WEIGHTS, ...weights };
  const weight = (k: SourceKind) => w[k];
  const groups = groupEntities(entities, weight);
  // Unified entity names: the strongest member's name.
  const nameOf = new Map<string, string>();
  for (const g of groups) {
    const strongest = [...g.members].sort((a, b) => weight(b.kind) - weight(a.kind))[0] as SourceEntity;
    for (const m of g.members) nameOf.set(`${m.kind}\0${m.name}`, strongest.name);
  }
  const entityOf = (e: SourceEntity) => nameOf.get(`${e.kind}\0${e.name}`) ?? e.name;
  const conflicts: FusionConflict[] = [];
  const unified: UnifiedEntity[] = groups.map((g) => {
    const name = entityOf(g.members[0] as SourceEntity);
    const entityWeight = [...new Set(g.members.map((m) => m.kind))].reduce((n, k) => n + weight(k), 0);
    const fields = [...groupFields(g.members, weight).values()].map((members) => fuseField(name, members, entityWeight, weight, conflicts, entityOf));
    return { name, sources: g.members.map((m) => ({ kind: m.kind, ref: m.ref, name: m.name })), fields };
  });
  return { entities: unified, conflicts, weights: w };
}
