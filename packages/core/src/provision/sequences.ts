/**
 * Sequences after a load: COPY writes ids without calling nextval, so every sequence is moved past
 * the largest value its columns hold (or kept at the source's position when that is further), and
 * the smoke test checks that the next nextval cannot collide with a loaded row.
 */
import { quoteIdent, quoteQualified } from '../db/quote.ts';
import type { SqlClient } from '../db/sql-client.ts';
import type { NeededSequence } from './objects.ts';

export interface SequenceCheck {
  /** "schema.name". */
  sequence: string;
  /** The sequence's last_value after provisioning; null while nextval was never called. */
  lastValue: string | null;
  /** Largest value (smallest for a descending sequence) of the columns drawing from it; null without rows. */
  maxValue: string | null;
  /** The next nextval is past maxValue. */
  ok: boolean;
}

const toBigInt = (text: string | null | undefined): bigint | null => {
  if (text === null || text === undefined) return null;
  const m = /^-?\d+/.exec(text.trim());
  return m ? BigInt(m[0]) : null;
};
const maxOf = (a: bigint | null, b: bigint | null, descending: boolean): bigint | null =>
  a === null ? b : b === null ? a : descending ? (a < b ? a : b) : a > b ? a : b;

/** Largest (smallest when descending) value of the columns using `s`, over the rows now in the target. */
async function extreme(tx: SqlClient, s: NeededSequence): Promise<bigint | null> {
  if (s.usedBy.length === 0) return null;
  const descending = BigInt(s.def.increment) < 0n;
  const fn = descending ? 'min' : 'max';
  const parts = s.usedBy.map(
    ({ table, column }, i) =>
      // ONLY: each table's own rows (partitions and children are listed themselves when provisioned).
      `(select ${fn}(${quoteIdent(column)})::text from ${table.kind === 'PARTITIONED_TABLE' ? '' : 'only '}${quoteQualified(table.schema, table.name)}) as m${i}`,
  );
  const { rows } = await tx.query<Record<string, string | null>>(`select ${parts.join(', ')}`);
  let best: bigint | null = null;
  for (const value of Object.values(rows[0] ?? {})) best = maxOf(best, toBigInt(value), descending);
  return best;
}

/** Moves each sequence past its columns' values (bounded by the sequence's own MINVALUE/MAXVALUE). */
export async function syncSequences(tx: SqlClient, sequences: NeededSequence[]): Promise<void> {
  for (const s of sequences) {
    const descending = BigInt(s.def.increment) < 0n;
    let value = maxOf(await extreme(tx, s), toBigInt(s.def.lastValue), descending);
    if (value === null) continue; // never used and no rows: it starts where the source's started
    const min = BigInt(s.def.min);
    const max = BigInt(s.def.max);
    if (value < min) value = min;
    if (value > max) value = max;
    await tx.query('select setval($1::regclass, $2::int8, true)', [quoteQualified(s.def.schema, s.def.name), value.toString()]);
  }
}

export async function checkSequences(tx: SqlClient, sequences: NeededSequence[]): Promise<SequenceCheck[]> {
  const out: SequenceCheck[] = [];
  for (const s of sequences) {
    const { rows } = await tx.query<{ last_value: string; is_called: boolean }>(
      `select last_value::text as last_value, is_called from ${quoteQualified(s.def.schema, s.def.name)}`,
    );
    const row = rows[0];
    const increment = BigInt(s.def.increment);
    const extremeValue = await extreme(tx, s);
    const last = toBigInt(row?.last_value);
    const next = last === null ? null : row?.is_called ? last + increment : last;
    const ok = extremeValue === null || (next !== null && (increment < 0n ? next < extremeValue : next > extremeValue));
    out.push({
      sequence: `${s.def.schema}.${s.def.name}`,
      lastValue: row?.is_called ? (row.last_value ?? null) : null,
      maxValue: extremeValue === null ? null : extremeValue.toString(),
      ok,
    });
  }
  return out;
}
