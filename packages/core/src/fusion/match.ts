/**
 * Which entities and fields of different sources are the same thing: entities by canonical name,
 * else by how many canonical field names they share; fields by canonical name (synonyms included),
 * by the entity a foreign key points at, and — for a field no name matched — by the shape of its
 * example values (e-mails, dates, numbers, phone numbers) when exactly one field fits.
 */
import { normalizeEntity, normalizeField } from './normalize.ts';
import type { SourceEntity, SourceField, SourceKind } from './types.ts';

export interface EntityGroup {
  key: string;
  members: SourceEntity[];
}

const fieldKeys = (e: SourceEntity) => new Set(e.fields.map((f) => normalizeField(f.name)));

/** Groups the sources' entities; `weight` orders which group absorbs which. */
export function groupEntities(entities: SourceEntity[], weight: (k: SourceKind) => number): EntityGroup[] {
  const byKey = new Map<string, SourceEntity[]>();
  for (const e of entities) {
    const key = normalizeEntity(e.name);
    byKey.set(key, [...(byKey.get(key) ?? []), e]);
  }
  const groups = [...byKey.entries()].map(([key, members]) => ({ key, members }));
  const top = (g: EntityGroup) => Math.max(...g.members.map((m) => weight(m.kind)));
  groups.sort((a, b) => top(b) - top(a));
  // A group of one kind whose fields mostly appear in a stronger group of other kinds joins it (`user` of a test case → `customer`).
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i] as EntityGroup;
    const kinds = new Set(g.members.map((m) => m.kind));
    const mine = new Set(g.members.flatMap((m) => [...fieldKeys(m)]));
    let best: { group: EntityGroup; overlap: number; shared: number } | null = null;
    for (const other of groups) {
      if (other === g || other.members.some((m) => kinds.has(m.kind)) || top(other) < top(g)) continue;
      const theirs = new Set(other.members.flatMap((m) => [...fieldKeys(m)]));
      const shared = [...mine].filter((k) => theirs.has(k)).length;
      const overlap = shared / Math.max(1, Math.min(mine.size, theirs.size));
      // The most shared fields wins; the larger share breaks a tie.
      const better = !best || shared > best.shared || (shared === best.shared && overlap > best.overlap);
      if (shared >= 2 && (overlap >= 0.5 || shared >= 3) && better) best = { group: other, overlap, shared };
    }
    if (best) {
      best.group.members.push(...g.members);
      groups.splice(i, 1);
    }
  }
  return groups;
}

type Shape = 'email' | 'date' | 'timestamp' | 'number' | 'phone' | 'uuid' | 'boolean' | null;

function shapeOfValue(v: string): Shape {
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return 'email';
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return 'date';
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(v)) return 'timestamp';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return 'uuid';
  if (/^(true|false)$/i.test(v)) return 'boolean';
  if (/^\+?[\d\s().-]{7,}$/.test(v) && /\d{3}/.test(v) && !/^-?\d+(\.\d+)?$/.test(v)) return 'phone';
  if (/^-?\d+(\.\d+)?$/.test(v)) return 'number';
  return null;
}

/** The shape a field's values have: from its examples, else from its type and name. */
export function fieldShape(f: SourceField): Shape {
  const shapes = new Set(f.exampleValues.map(shapeOfValue));
  if (shapes.size === 1) return [...shapes][0] as Shape;
  const t = f.dataType ?? '';
  const n = normalizeField(f.name);
  if (n.endsWith('email')) return 'email';
  if (n.endsWith('phone')) return 'phone';
  if (t === 'date') return 'date';
  if (t.startsWith('timestamp')) return 'timestamp';
  if (t === 'uuid') return 'uuid';
  if (t === 'boolean') return 'boolean';
  if (/^(smallint|integer|bigint|numeric|double precision|real)/.test(t)) return 'number';
  return null;
}

/** The key a field is matched by: its canonical name. */
export function fieldKey(f: SourceField): string {
  return normalizeField(f.name);
}

const target = (f: SourceField) => (f.references ? normalizeEntity(f.references.entity) : null);

/**
 * Fields of an entity group by key. A field whose key no stronger source has is matched by the
 * shape of its values to the one field of that shape the stronger sources have and it lacks.
 */
export function groupFields(members: SourceEntity[], weight: (k: SourceKind) => number): Map<string, { entity: SourceEntity; field: SourceField }[]> {
  const ordered = [...members].sort((a, b) => weight(b.kind) - weight(a.kind));
  const groups = new Map<string, { entity: SourceEntity; field: SourceField }[]>();
  for (const entity of ordered) {
    const claimed = new Set<string>();
    const pending: SourceField[] = [];
    for (const f of entity.fields) {
      const key = fieldKey(f);
      if (groups.has(key) || groups.size === 0 || entity === ordered[0]) {
        groups.set(key, [...(groups.get(key) ?? []), { entity, field: f }]);
        claimed.add(key);
      } else pending.push(f);
    }
    for (const f of pending) {
      // A foreign key matches the stronger sources' foreign key to the same entity (`buyer` → `customer_id`).
      const to = target(f);
      const sameTarget = to ? [...groups.entries()].filter(([k, list]) => !claimed.has(k) && list.some((x) => target(x.field) === to)) : [];
      if (sameTarget.length === 1) {
        const key = sameTarget[0]?.[0] as string;
        groups.set(key, [...(groups.get(key) ?? []), { entity, field: f }]);
        claimed.add(key);
        continue;
      }
      const shape = fieldShape(f);
      const fits = shape
        ? [...groups.entries()].filter(([k, list]) => !claimed.has(k) && list.some((x) => x.entity.kind !== entity.kind && fieldShape(x.field) === shape))
        : [];
      const key = fits.length === 1 ? (fits[0]?.[0] as string) : fieldKey(f);
      groups.set(key, [...(groups.get(key) ?? []), { entity, field: f }]);
      claimed.add(key);
    }
  }
  return groups;
}
