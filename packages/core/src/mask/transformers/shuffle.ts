/**
 * `shuffle`: permutes a column's values among its rows, so the column keeps its exact
 * distribution (the multiset of values is unchanged) while values no longer sit next to the rest
 * of their row. The permutation is a function of the salt, the column identity and the column's
 * values — not of the order they are read in — so the same data gives the same permutation.
 *
 * Occurrences of one value are handed their outputs in the order `apply` meets them; the mask step
 * reads rows in key order, which makes whole runs repeatable. Nulls stay null. Holds the column's
 * values in memory.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { columnId, deriveKey, hmac, seededRandom } from '../keys.ts';
import type { TransformerDefinition } from '../types.ts';

const params = z.object({});
export type ShuffleParams = z.output<typeof params>;

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const shuffle: TransformerDefinition<ShuffleParams> = {
  name: 'shuffle',
  description:
    "Permutes the column's values across rows (same multiset, deterministic per salt and column). Needs the whole column first. " +
    'Not injective: repeated values stay repeated; do not use on keys.',
  params,
  appliesTo: ['any'],
  deterministic: true,
  injective: false,
  needsColumn: true,
  create(_p, ctx) {
    throw new InvalidInputError(`shuffle needs the column's values: call prepare() for ${columnId(ctx)}`);
  },
  async prepare(_p, ctx, values) {
    const key = deriveKey(ctx, 'shuffle', columnId(ctx));
    const input: string[] = [];
    for await (const v of values) if (v !== null) input.push(v);
    input.sort(byCodeUnit);
    const output = [...input];
    const random = seededRandom(hmac(key, ['permutation', String(output.length)]));
    for (let i = output.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [output[i], output[j]] = [output[j] as string, output[i] as string];
    }
    const outputsOf = new Map<string, { outs: string[]; next: number }>();
    input.forEach((v, i) => {
      const entry = outputsOf.get(v) ?? { outs: [], next: 0 };
      entry.outs.push(output[i] as string);
      outputsOf.set(v, entry);
    });
    return {
      apply(value) {
        if (value === null) return null;
        const entry = outputsOf.get(value);
        if (entry) return entry.outs[entry.next++ % entry.outs.length] as string;
        // A value prepare() did not see (the column changed in between): a deterministic pick keeps it a column value.
        if (output.length === 0) return value;
        return output[hmac(key, ['unseen', value]).readUInt32BE(0) % output.length] as string;
      },
    };
  },
};
