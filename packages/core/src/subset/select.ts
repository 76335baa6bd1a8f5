/**
 * The selection step of a subset execution: fills each planned table's temporary key table with the
 * capped root, downward and unreached selections, then closes them upward to a fixpoint so every FK
 * of every chosen row finds its parent. A table whose selection is every row (no filter, a cap at or
 * above its row count in the snapshot) keeps an empty key table: the statements read the table itself.
 * One that no foreign key ties to another planned table is taken whole on the catalog's count.
 */
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import type { EmitEvent } from '../jobs/events.ts';
import type { SubsetCut } from './executor.ts';
import { chosen, fkMatch, from, isSystem, keyCol, keyExprs, keyList, ref, sameKey, type Work } from './key-sql.ts';
import type { PlannedForeignKey, SubsetPlan } from './planner.ts';

/** Fills the key tables: capped selections in plan order, then the upward closure to a fixpoint. */
export async function select(
  tx: SqlClient,
  plan: SubsetPlan,
  work: Work[],
  byId: Map<string, Work>,
  cut: SubsetCut[],
  signal: AbortSignal | undefined,
  emit: EmitEvent | undefined,
): Promise<void> {
  for (const id of plan.selection) {
    signal?.throwIfAborted();
    const w = byId.get(id);
    if (w && !takenOnCount(w, work, byId)) await selectTable(tx, w, byId, cut);
  }
  for (const w of work) if (!w.whole) await tx.query(`ANALYZE ${w.keyTable}`);
  const { passes, added } = await closeUpward(tx, work, byId, signal);
  const rows = work.reduce((n, w) => n + w.rows, 0);
  emit?.({
    step: 'subset',
    level: 'info',
    message: `selected ${rows} rows in ${work.length} tables (${added} added for integrity in ${passes} pass${passes === 1 ? '' : 'es'})`,
    data: { tables: work.length, rows, addedForIntegrity: added, passes },
  });
}

/**
 * Whether `w` is taken whole without counting its rows: a root or unreached table with no filter and
 * no foreign key to or from a planned table (itself included) — its selection changes no other
 * table's — whose cap is absent or at least the catalog's count (else its estimate). A capped one
 * is read up to one row past its cap (`verifyCap`): more rows than the catalog said and it is
 * selected as any capped table (`selectCapped`) and read again. Saves a scan of the table.
 */
function takenOnCount(w: Work, work: Work[], byId: Map<string, Work>): boolean {
  const t = w.plan;
  if ((t.reachedBy !== 'root' && t.reachedBy !== 'unreached') || t.where) return false;
  if (t.foreignKeys.some((fk) => byId.has(fk.references))) return false;
  if (work.some((o) => o.plan.foreignKeys.some((fk) => fk.references === t.qualified))) return false;
  const known = w.def.rowCount ?? w.def.rowEstimate;
  if (t.cap !== null && (known === null || known < 0 || known > t.cap)) return false;
  w.whole = true;
  w.verifyCap = t.cap;
  w.rows = known !== null && known >= 0 ? known : 0;
  return true;
}

/** Selects a table taken whole on the catalog's count (`takenOnCount`) as a capped one, into its key table. */
export async function selectCapped(tx: SqlClient, w: Work, byId: Map<string, Work>, cut: SubsetCut[]): Promise<void> {
  w.whole = false;
  w.verifyCap = null;
  await selectTable(tx, w, byId, cut, false);
  await tx.query(`ANALYZE ${w.keyTable}`);
}

/**
 * Whether the selection of `w` (root or unreached, no filter) is every row: true when its cap is at
 * least its row count, counted in the snapshot (at most cap + 1 rows are read). Marks it whole.
 */
async function takesEveryRow(tx: SqlClient, w: Work): Promise<boolean> {
  const cap = w.plan.cap;
  const rows = cap === null ? from(w) : `(SELECT 1 FROM ${from(w)} LIMIT ${cap + 1}) s`;
  const counted = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${rows}`);
  const n = Number(counted.rows[0]?.n ?? 0);
  if (cap !== null && n > cap) return false;
  w.whole = true;
  w.rows = n;
  return true;
}

/** One table's capped selection into its key table; records what the cap cut. `count`: whether it may turn out whole. */
async function selectTable(tx: SqlClient, w: Work, byId: Map<string, Work>, cut: SubsetCut[], count = true): Promise<void> {
  const t = w.plan;
  if (count && (t.reachedBy === 'root' || t.reachedBy === 'unreached') && !t.where && (await takesEveryRow(tx, w))) return;
  // The source table keeps its own name (no alias) so a user's filter may qualify columns with it.
  const self = quoteQualified(t.schema, t.name);
  const conditions: string[] = [];
  let reason: string;
  if (t.reachedBy === 'down') {
    const parents: string[] = [];
    const exists = t.foreignKeys
      .filter((fk) => t.via.includes(fk.name) && !fk.selfReference && byId.has(fk.references))
      .map((fk) => {
        const parent = byId.get(fk.references) as Work;
        if (!parents.includes(fk.references)) parents.push(fk.references);
        return `EXISTS (SELECT 1 FROM ${chosen(parent, 'p')} WHERE ${fkMatch(w, self, false, parent, 'p', !parent.whole, fk)})`;
      });
    if (exists.length === 0) return;
    conditions.push(exists.length === 1 ? (exists[0] as string) : `(${exists.join(' OR ')})`);
    reason = `rows referencing the selected rows of ${parents.join(', ')}`;
  } else if (t.reachedBy === 'root') {
    reason = 'root rows';
  } else {
    reason = 'rows of a table not reachable from the root';
  }
  if (t.where) {
    conditions.push(`(${t.where})`);
    reason += ` matching ${t.where}`;
  }
  const whereSql = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  const order = t.key.columns.map((c) => (isSystem(w, c) ? `${self}.${c}` : `${self}.${quoteIdent(c)}`)).join(', ');
  const limit = t.cap === null ? '' : ` ORDER BY ${order} LIMIT ${t.cap}`;
  const inserted = await tx.query(`INSERT INTO ${w.keyTable} (${keyList(w)}) SELECT ${keyExprs(w, self)} FROM ${from(w)}${whereSql}${limit}`);
  w.rows = inserted.rowCount;
  if (t.cap !== null && inserted.rowCount >= t.cap) {
    const counted = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${from(w)}${whereSql}`);
    const wanted = Number(counted.rows[0]?.n ?? 0);
    if (wanted > inserted.rowCount)
      cut.push({ table: t.qualified, wanted, kept: inserted.rowCount, reason: `cap ${t.cap} on ${reason}`, final: inserted.rowCount });
  }
}

/** The statement adding to `parent`'s key table the rows `child`'s chosen rows reference through `fk`; null when `parent` is whole. */
function closureSql(child: Work, parent: Work, fk: PlannedForeignKey): string | null {
  if (parent.whole) return null;
  const inKeys = !child.whole;
  const notNull = fk.columns.map((c) => `${ref(child, 'c', c, inKeys)} IS NOT NULL`).join(' AND ');
  if (fk.selfReference) {
    // The whole chain (managers of managers …) in one statement; UNION stops at rows seen before, so cyclic data ends too.
    return `WITH RECURSIVE chain (${keyList(parent)}) AS (
  SELECT ${keyExprs(parent, 'p')} FROM ${from(parent)} p WHERE EXISTS (SELECT 1 FROM ${child.keyTable} c WHERE ${notNull} AND ${fkMatch(child, 'c', true, parent, 'p', false, fk)})
  UNION
  SELECT ${keyExprs(parent, 'p')} FROM ${from(parent)} p JOIN chain c ON ${fkMatch(child, 'c', true, parent, 'p', false, fk)}
)
INSERT INTO ${parent.keyTable} (${keyList(parent)})
SELECT ${keyList(parent)} FROM chain c WHERE NOT EXISTS (SELECT 1 FROM ${parent.keyTable} q WHERE ${parent.plan.key.columns.map((k) => `q.${keyCol(parent, k)} = c.${keyCol(parent, k)}`).join(' AND ')})`;
  }
  return `INSERT INTO ${parent.keyTable} (${keyList(parent)})
SELECT ${keyExprs(parent, 'p')} FROM ${from(parent)} p
WHERE EXISTS (SELECT 1 FROM ${chosen(child, 'c')} WHERE ${notNull} AND ${fkMatch(child, 'c', inKeys, parent, 'p', false, fk)})
  AND NOT EXISTS (SELECT 1 FROM ${parent.keyTable} q WHERE ${sameKey(parent, 'q', 'p')})`;
}

/** Upward closure: children before parents (reverse load order), so an acyclic schema settles in one pass. */
async function closeUpward(tx: SqlClient, work: Work[], byId: Map<string, Work>, signal: AbortSignal | undefined): Promise<{ passes: number; added: number }> {
  const reverse = [...work].sort((a, b) => b.plan.order - a.plan.order);
  const pending = new Set(work.filter((w) => w.rows > 0));
  let passes = 0;
  let added = 0;
  while (pending.size > 0) {
    passes++;
    for (const child of reverse) {
      if (!pending.has(child)) continue;
      pending.delete(child);
      const fks = [...child.plan.foreignKeys].sort((a, b) => Number(b.selfReference) - Number(a.selfReference));
      for (const fk of fks) {
        signal?.throwIfAborted();
        const parent = byId.get(fk.references);
        const sql = parent ? closureSql(child, parent, fk) : null;
        if (!parent || !sql) continue;
        const result = await tx.query(sql);
        if (result.rowCount > 0) {
          parent.rows += result.rowCount;
          added += result.rowCount;
          // A parent later in this pass is visited in it; one visited already waits for the next pass.
          // A self-reference's chain is complete already, and its other FKs run right after, in this loop.
          if (parent !== child) pending.add(parent);
        }
      }
    }
  }
  return { passes, added };
}
