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

/** Per sequence (same order), the largest (smallest when descending) value its columns hold; null without rows. */
export type Extremes = (bigint | null)[];

/** Statements' worth of scalar subqueries per round trip. */
const PER_QUERY = 50;

/**
 * For every sequence, the largest (smallest when descending) value of the columns using it, over the
 * rows now in the target: scalar subqueries, up to 50 per statement, not a round trip per sequence.
 */
async function extremes(tx: SqlClient, sequences: NeededSequence[]): Promise<(bigint | null)[]> {
  const parts = sequences.flatMap((s, seq) => {
    const fn = BigInt(s.def.increment) < 0n ? 'min' : 'max';
    // ONLY: each table's own rows (partitions and children are listed themselves when provisioned).
    return s.usedBy.map(({ table, column }) => ({
      seq,
      sql: `(select ${fn}(${quoteIdent(column)})::text from ${table.kind === 'PARTITIONED_TABLE' ? '' : 'only '}${quoteQualified(table.schema, table.name)})`,
    }));
  });
  const out: (bigint | null)[] = sequences.map(() => null);
  for (let i = 0; i < parts.length; i += PER_QUERY) {
    const batch = parts.slice(i, i + PER_QUERY);
    const { rows } = await tx.query<Record<string, string | null>>(`select ${batch.map((p, k) => `${p.sql} as m${k}`).join(', ')}`);
    for (const [k, p] of batch.entries()) {
      const descending = BigInt((sequences[p.seq] as NeededSequence).def.increment) < 0n;
      out[p.seq] = maxOf(out[p.seq] ?? null, toBigInt(rows[0]?.[`m${k}`]), descending);
    }
  }
  return out;
}

/**
 * Moves each sequence past its columns' values (bounded by the sequence's own MINVALUE/MAXVALUE), in one
 * statement. Returns the extremes it found (per sequence), which stay true while no row is written.
 */
export async function syncSequences(tx: SqlClient, sequences: NeededSequence[]): Promise<Extremes> {
  const found = await extremes(tx, sequences);
  const names: string[] = [];
  const values: string[] = [];
  for (const [i, s] of sequences.entries()) {
    const descending = BigInt(s.def.increment) < 0n;
    let value = maxOf(found[i] ?? null, toBigInt(s.def.lastValue), descending);
    if (value === null) continue; // never used and no rows: it starts where the source's started
    const min = BigInt(s.def.min);
    const max = BigInt(s.def.max);
    if (value < min) value = min;
    if (value > max) value = max;
    names.push(quoteQualified(s.def.schema, s.def.name));
    values.push(value.toString());
  }
  if (names.length) await tx.query('select setval(x.s::regclass, x.v, true) from unnest($1::text[], $2::int8[]) as x(s, v)', [names, values]);
  return found;
}

/** Each sequence's last_value and is_called, up to 50 sequences per statement. */
async function positions(tx: SqlClient, sequences: NeededSequence[]): Promise<{ last_value: string; is_called: boolean }[]> {
  const out: { last_value: string; is_called: boolean }[] = [];
  for (let i = 0; i < sequences.length; i += PER_QUERY) {
    const batch = sequences.slice(i, i + PER_QUERY);
    const { rows } = await tx.query<{ i: number; last_value: string; is_called: boolean }>(
      batch.map((s, k) => `(select ${k} as i, last_value::text as last_value, is_called from ${quoteQualified(s.def.schema, s.def.name)})`).join(' union all '),
    );
    for (const r of rows) out[i + Number(r.i)] = { last_value: r.last_value, is_called: r.is_called };
  }
  return out;
}

/** Checks every sequence against its columns' extremes: `known` ones (from `syncSequences` in the same transaction, no row written since), else read now. */
export async function checkSequences(tx: SqlClient, sequences: NeededSequence[], known?: Extremes): Promise<SequenceCheck[]> {
  const found = known ?? (await extremes(tx, sequences));
  const at = await positions(tx, sequences);
  return sequences.map((s, i) => {
    const row = at[i];
    const increment = BigInt(s.def.increment);
    const extremeValue = found[i] ?? null;
    const last = toBigInt(row?.last_value);
    const next = last === null ? null : row?.is_called ? last + increment : last;
    const ok = extremeValue === null || (next !== null && (increment < 0n ? next < extremeValue : next > extremeValue));
    return {
      sequence: `${s.def.schema}.${s.def.name}`,
      lastValue: row?.is_called ? (row.last_value ?? null) : null,
      maxValue: extremeValue === null ? null : extremeValue.toString(),
      ok,
    };
  });
}
