/**
 * Root inference: without `rootTable`, a subset starts at the most-referenced table, preferring one
 * whose name says it holds people (customers, then users/accounts, then employees).
 */
import { cmp, type Model } from './plan-model.ts';

/** Head nouns of tables that hold people or accounts, in order of preference on a tie. */
const PEOPLE_WORDS: string[][] = [
  ['customer', 'customers', 'client', 'clients', 'buyer', 'buyers', 'shopper', 'shoppers', 'subscriber', 'subscribers', 'patron', 'patrons'],
  [
    'user',
    'users',
    'account',
    'accounts',
    'member',
    'members',
    'person',
    'persons',
    'people',
    'contact',
    'contacts',
    'patient',
    'patients',
    'student',
    'students',
  ],
  ['employee', 'employees', 'staff', 'staffs', 'worker', 'workers'],
];

/** The last word of a snake_case, kebab-case, spaced or camelCase name: `app_user` → user, `CustomerAccount` → account. */
function headNoun(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return (words.at(-1) ?? '').toLowerCase();
}

function peopleRank(name: string): number {
  const head = headNoun(name);
  const rank = PEOPLE_WORDS.findIndex((words) => words.includes(head));
  return rank === -1 ? Number.POSITIVE_INFINITY : rank;
}

interface RootCandidate {
  id: string;
  /** Referencing tables outside the candidate's own cycle (a partition family counted once). */
  children: string[];
  /** Of those, the ones referencing it through a NOT NULL FK (rows that cannot exist without it). */
  strongChildren: string[];
  /** Referencing tables inside its cycle (peers, not children). */
  peers: string[];
  people: number;
  rows: number;
}

export function inferRoot(model: Model, componentOf: Map<string, number>): { root: string | null; reason: string } {
  if (model.tables.size === 0) return { root: null, reason: 'the catalog has no tables' };
  const family = (id: string): string => {
    let current = id;
    for (let i = 0; i < 64; i++) {
      const parent = model.tables.get(current)?.partitionOf;
      if (!parent || model.tables.get(current)?.partitionKind !== 'INHERITS' || !model.tables.has(parent)) break;
      current = parent;
    }
    return current;
  };
  const candidates: RootCandidate[] = [...model.tables.keys()].map((id) => ({
    id,
    children: [],
    strongChildren: [],
    peers: [],
    people: peopleRank(model.tables.get(id)?.name ?? ''),
    rows: model.tables.get(id)?.rowCount ?? 0,
  }));
  const byId = new Map(candidates.map((c) => [c.id, c]));
  for (const list of model.fks.values()) {
    for (const fk of list) {
      if (fk.selfReference) continue;
      const target = byId.get(fk.references);
      if (!target) continue;
      const child = family(fk.table);
      if (child === family(fk.references)) continue;
      const bucket = componentOf.get(fk.table) === componentOf.get(fk.references) ? target.peers : target.children;
      if (!bucket.includes(child)) bucket.push(child);
      if (bucket === target.children && !fk.nullable && !target.strongChildren.includes(child)) target.strongChildren.push(child);
    }
  }
  const better = (a: RootCandidate, b: RootCandidate) =>
    b.children.length - a.children.length || b.strongChildren.length - a.strongChildren.length || a.people - b.people || b.rows - a.rows || cmp(a.id, b.id);
  const people = candidates.filter((c) => Number.isFinite(c.people) && c.children.length + c.peers.length > 0).sort(better);
  const describe = (c: RootCandidate) =>
    `${c.children.length} referencing table${c.children.length === 1 ? '' : 's'}${c.children.length ? ` (${[...c.children].sort(cmp).join(', ')})` : ''}, ${c.strongChildren.length} through NOT NULL keys${c.peers.length ? `; ${[...c.peers].sort(cmp).join(', ')} only in a cycle with it` : ''}`;
  const [first, second] = people;
  if (first) {
    const runnerUp = second
      ? `; runner-up ${second.id}: ${describe(second)}${second.children.length === first.children.length && second.strongChildren.length === first.strongChildren.length ? ' — tie broken by name (customers before users/accounts before employees/staff)' : ''}`
      : '';
    return { root: first.id, reason: `${first.id}: people-like name (${headNoun(model.tables.get(first.id)?.name ?? '')}), ${describe(first)}${runnerUp}` };
  }
  const all = [...candidates].sort(better);
  const best = all[0] as RootCandidate;
  return { root: best.id, reason: `${best.id}: no people-like table; ${describe(best)}${all[1] ? `; runner-up ${all[1].id}: ${describe(all[1])}` : ''}` };
}
