/**
 * `dateShift`: moves dates and timestamps by a deterministic offset of 1…maxDays days, forward or
 * back, derived from the value (or from the row's key, so all dates of a row move together).
 *
 * Age bands: by default the result stays in the same calendar year (an offset that would leave
 * the year is applied the other way, and clamped if both ways leave it), so the birth year is kept
 * and an age in years computed at any reference date is off by at most one. `keep: 'month'` keeps
 * year and month. Times, fractional seconds, UTC offsets and ` BC` are kept as written;
 * `infinity` / `-infinity` pass through.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { civilFromDays, daysFromCivil, daysInMonth, formatDate, isInfinity, parseDateText } from '../dates.ts';
import { columnId, deriveKey, keyedHash } from '../keys.ts';
import type { TransformerDefinition } from '../types.ts';

const params = z.object({
  maxDays: z.number().int().min(1).max(3650).default(30).describe('Largest shift in days, either way'),
  keep: z.enum(['year', 'month', 'none']).default('year').describe('Stay within the same calendar year (keeps age within ±1) or month; none: free'),
  by: z
    .enum(['value', 'rowKey'])
    .default('value')
    .describe("What the offset derives from: the value, or the row's key (all date columns of a row shift alike)"),
});
export type DateShiftParams = z.output<typeof params>;

export const dateShift: TransformerDefinition<DateShiftParams> = {
  name: 'dateShift',
  description:
    'Shifts dates/timestamps by a deterministic ±maxDays (default 30) offset, staying within the calendar year so ages ' +
    'in years stay within ±1. Keeps time, fraction and UTC offset text; infinity passes through.',
  params,
  appliesTo: ['date', 'timestamp'],
  deterministic: true,
  injective: false,
  create(p, ctx) {
    const mac = keyedHash(deriveKey(ctx, 'dateShift'));
    return {
      usesRow: p.by === 'rowKey',
      apply(value, row) {
        if (value === null || isInfinity(value)) return value;
        const date = parseDateText(value);
        if (!date) throw new InvalidInputError(`dateShift: ${columnId(ctx)} holds a value that is not a PostgreSQL date/timestamp`);
        const source = p.by === 'rowKey' ? row?.key : value;
        if (source === undefined) throw new InvalidInputError(`dateShift by rowKey needs the row key for ${columnId(ctx)}`);
        const r = mac.digest([p.by, source]).readUInt32BE(0);
        const offset = (((r >>> 1) % p.maxDays) + 1) * (r & 1 ? 1 : -1);
        const day = daysFromCivil(date.year, date.month, date.day);
        const [lo, hi] =
          p.keep === 'year'
            ? [daysFromCivil(date.year, 1, 1), daysFromCivil(date.year, 12, 31)]
            : p.keep === 'month'
              ? [daysFromCivil(date.year, date.month, 1), daysFromCivil(date.year, date.month, daysInMonth(date.year, date.month))]
              : [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
        let shifted = day + offset;
        if (shifted < lo || shifted > hi) shifted = day - offset;
        shifted = Math.min(Math.max(shifted, lo), hi);
        const out = civilFromDays(shifted);
        return formatDate(out.year, out.month, out.day, date.rest);
      },
    };
  },
};
