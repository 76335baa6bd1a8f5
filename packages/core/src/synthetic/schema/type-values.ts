/**
 * Values of a base type when no semantic generator fits the column: the PostgreSQL text form of
 * each type (numbers, text, dates, network addresses, ranges…) within the column's constraints.
 */
import { TdmError } from '../../errors.ts';
import type { Rng } from '../rng.ts';
import { SYNTHETIC_EPOCH } from '../semantic.ts';
import { type ColumnConstraints, numericBounds, timeBounds } from './column-constraints.ts';
import type { ResolvedType } from './column-type.ts';
import { DAY, isoDate, isoTimestamp } from './time-text.ts';

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const WORDS = [
  'alpha',
  'bravo',
  'delta',
  'ember',
  'fable',
  'grove',
  'harbor',
  'island',
  'jade',
  'kernel',
  'lumen',
  'meadow',
  'nova',
  'orbit',
  'pine',
  'quartz',
];
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

/** What a type's values are drawn with: the type, the column's constraints, the stream, the length fix, the column's name for errors. */
interface TypeDraw {
  type: ResolvedType;
  c: ColumnConstraints;
  rng: Rng;
  fixLength: (v: string) => string;
  where: string;
}

type ValueFn = (row: number) => string;

/** Values of `type` within `c`, from `rng`; `where` names the column in errors. */
export function typeGenerator(type: ResolvedType, c: ColumnConstraints, rng: Rng, fixLength: (v: string) => string, where: string): (row: number) => string {
  const d: TypeDraw = { type, c, rng, fixLength, where };
  const gen = numberValues(d) ?? textValues(d) ?? timeValues(d) ?? bitValues(d) ?? identifierValues(d) ?? rangeValues(d);
  if (gen) return gen;
  throw new TdmError('INVALID_INPUT', `${where}: values of type ${type.pgType} cannot be generated`, { details: { column: where, type: type.pgType } });
}

/** Integers and decimals within the column's bounds, and points. */
function numberValues({ type, c, rng, where }: TypeDraw): ValueFn | null {
  switch (type.base) {
    case 'int2':
    case 'int4':
    case 'int8': {
      const { lo, hi } = numericBounds(type, c, [1, 1000]);
      if (lo > hi) throw new TdmError('INVALID_INPUT', `no integer can satisfy the CHECKs of ${where}`);
      return () => String(rng.int(lo, hi));
    }
    case 'numeric':
    case 'float':
    case 'money': {
      const { lo, hi, step } = numericBounds(type, c, [0, 1000]);
      const scale = Math.round(-Math.log10(step));
      const units = Math.floor((hi - lo) / step + 1e-9);
      if (type.base === 'float') return () => String(Number((lo + rng.int(0, units) * step).toFixed(scale)));
      return () => (lo + rng.int(0, units) * step).toFixed(scale);
    }
    case 'point':
      return () => `(${rng.int(-180, 180)},${rng.int(-90, 90)})`;
    default:
      return null;
  }
}

/** Words, fixed-width letters, and small JSON, XML and text-search documents. */
function textValues({ type, c, rng, fixLength }: TypeDraw): ValueFn | null {
  switch (type.base) {
    case 'text': {
      const max = Math.min(type.maxLength ?? 60, c.maxLength ?? 60);
      return () => {
        const n = rng.int(1, 3);
        let out = rng.pick(WORDS);
        for (let k = 1; k < n; k++) out += ` ${rng.pick(WORDS)}`;
        return fixLength(out.length > max ? out.slice(0, max) : out);
      };
    }
    case 'bpchar': {
      const n = type.maxLength ?? 1;
      return () => {
        let out = '';
        for (let k = 0; k < Math.min(n, 12); k++) out += UPPER[rng.int(0, 25)];
        return fixLength(out);
      };
    }
    case 'json':
      return () => `{"id": ${rng.int(1, 9999)}, "tag": "${rng.pick(WORDS)}", "active": ${rng.next() < 0.5}}`;
    case 'tsvector':
      return () => {
        const n = rng.int(1, 4);
        const words = new Set<string>();
        for (let k = 0; k < n; k++) words.add(rng.pick(WORDS));
        return [...words].map((w) => `'${w}':${rng.int(1, 20)}`).join(' ');
      };
    case 'tsquery':
      return () => `'${rng.pick(WORDS)}' & '${rng.pick(WORDS)}'`;
    case 'xml':
      return () => `<item>${rng.pick(WORDS)}</item>`;
    default:
      return null;
  }
}

/** Dates and timestamps within the column's bounds (five or three years back by default), times of day, intervals. */
function timeValues({ type, c, rng }: TypeDraw): ValueFn | null {
  switch (type.base) {
    case 'date': {
      const [lo, hi] = timeBounds(c, DAY, [SYNTHETIC_EPOCH - 5 * 365 * DAY, SYNTHETIC_EPOCH]);
      const days = Math.floor((hi - lo) / DAY);
      return () => isoDate(lo + rng.int(0, Math.max(days, 0)) * DAY);
    }
    case 'timestamp':
    case 'timestamptz': {
      const [lo, hi] = timeBounds(c, 1000, [SYNTHETIC_EPOCH - 3 * 365 * DAY, SYNTHETIC_EPOCH]);
      const seconds = Math.floor((hi - lo) / 1000);
      const zone = type.base === 'timestamptz' ? '+00' : '';
      return () => `${isoTimestamp(lo + rng.int(0, Math.max(seconds, 0)) * 1000)}${zone}`;
    }
    case 'time':
    case 'timetz': {
      const zone = type.base === 'timetz' ? '+00' : '';
      return () => `${pad2(rng.int(0, 23))}:${pad2(rng.int(0, 59))}:${pad2(rng.int(0, 59))}${zone}`;
    }
    case 'interval':
      return () => (rng.next() < 0.5 ? `${rng.int(1, 365)} days` : `${pad2(rng.int(0, 23))}:${pad2(rng.int(0, 59))}:00`);
    default:
      return null;
  }
}

/** Booleans, bit strings and bytes. */
function bitValues({ type, rng }: TypeDraw): ValueFn | null {
  switch (type.base) {
    case 'bool':
      return () => (rng.next() < 0.5 ? 't' : 'f');
    case 'bytea':
      return () => {
        let out = '\\x';
        for (let k = rng.int(4, 16); k > 0; k--) out += `${HEX[rng.int(0, 15)]}${HEX[rng.int(0, 15)]}`;
        return out;
      };
    case 'bit':
    case 'varbit': {
      const n = type.base === 'bit' ? (type.maxLength ?? 1) : Math.min(type.maxLength ?? 8, 8);
      return () => {
        let out = '';
        for (let k = 0; k < n; k++) out += rng.next() < 0.5 ? '0' : '1';
        return out;
      };
    }
    default:
      return null;
  }
}

/** UUIDs, documentation and private network addresses, MAC addresses. */
function identifierValues({ type, rng }: TypeDraw): ValueFn | null {
  switch (type.base) {
    case 'uuid':
      return () => randomUuid(rng);
    case 'inet':
      return () => `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`;
    case 'cidr':
      return () => `10.${rng.int(0, 255)}.${rng.int(0, 255)}.0/24`;
    case 'macaddr':
      return () => `08:00:2b:${pad2(rng.int(10, 99))}:${pad2(rng.int(10, 99))}:${pad2(rng.int(10, 99))}`;
    default:
      return null;
  }
}

/** Integer, numeric, date and timestamp ranges. */
function rangeValues({ type, rng }: TypeDraw): ValueFn | null {
  switch (type.base) {
    case 'intrange':
    case 'numrange':
      return () => {
        const a = rng.int(0, 1000);
        return `[${a},${a + rng.int(1, 100)})`;
      };
    case 'daterange':
      return () => {
        const a = SYNTHETIC_EPOCH - rng.int(0, 1000) * DAY;
        return `[${isoDate(a)},${isoDate(a + rng.int(1, 60) * DAY)})`;
      };
    case 'tsrange':
    case 'tstzrange':
      return () => {
        const a = SYNTHETIC_EPOCH - rng.int(0, 1000) * DAY;
        return `["${isoTimestamp(a)}","${isoTimestamp(a + rng.int(1, 600) * 60_000)}")`;
      };
    default:
      return null;
  }
}

export function randomUuid(rng: Rng): string {
  const a = rng.uint32().toString(16).padStart(8, '0');
  const b = rng.uint32().toString(16).padStart(8, '0');
  const c = rng.uint32().toString(16).padStart(8, '0');
  const d = rng.uint32().toString(16).padStart(8, '0');
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${HEX[8 + (rng.uint32() & 3)]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}
