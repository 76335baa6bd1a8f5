/**
 * `generalize`: coarsens a value so it still supports analysis but no longer singles anyone out
 * (k-anonymity style): postal codes → their first 3 characters (`12345` → `123**` or `123`),
 * birth dates → the year (`1984-07-12` → `1984-01-01` on date columns so the type still fits,
 * `1984` on text), numbers → the bottom of their bucket (`42317` → `42000`), IP addresses → their
 * /24 (IPv4) or /48 (IPv6) network.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { formatDate, isInfinity, parseDateText } from '../dates.ts';
import { columnId } from '../keys.ts';
import { describePgType, fitLength } from '../pg-type.ts';
import type { TransformContext, TransformerDefinition } from '../types.ts';

const params = z.object({
  kind: z.enum(['auto', 'postal', 'date', 'number', 'ip']).default('auto').describe("auto: from the column's PII type, then its type, then its name"),
  keep: z.number().int().min(0).max(10).default(3).describe('postal: leading letters/digits kept'),
  pad: z.boolean().default(true).describe("postal: mask the rest with '*' (123**) instead of cutting it (123)"),
  dateTo: z.enum(['year', 'month']).default('year').describe('date: keep the year, or year and month'),
  bucket: z.number().positive().default(1000).describe('number: bucket width; values become the bottom of their bucket'),
  ipv4Bits: z.number().int().min(0).max(32).default(24).describe('ip: IPv4 network prefix kept'),
  ipv6Bits: z.number().int().min(0).max(128).default(48).describe('ip: IPv6 network prefix kept'),
});
export type GeneralizeParams = z.output<typeof params>;
type Kind = Exclude<GeneralizeParams['kind'], 'auto'>;

function kindFor(ctx: TransformContext): Kind | undefined {
  const byType: Record<string, Kind> = { POSTAL_CODE: 'postal', DATE_OF_BIRTH: 'date', IP_ADDRESS: 'ip', SALARY: 'number' };
  if (ctx.piiType && byType[ctx.piiType]) return byType[ctx.piiType];
  const type = describePgType(ctx.column.pgType);
  if (type.kind === 'date' || type.kind === 'timestamp') return 'date';
  if (type.kind === 'integer' || type.kind === 'numeric') return 'number';
  if (/^(inet|cidr)$/i.test(ctx.column.pgType.trim())) return 'ip';
  const name = ctx.column.name.toLowerCase();
  if (/zip|postal|post_?code/.test(name)) return 'postal';
  if (/birth|dob|date/.test(name)) return 'date';
  if (/(^|_)ip(_|$)|ip_?addr/.test(name)) return 'ip';
  return undefined;
}

function maskIPv4(ip: string, bits: number): string {
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const masked = bits === 0 ? 0 : n - (n % 2 ** (32 - bits));
  return [24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join('.');
}

function maskIPv6(ip: string, bits: number): string {
  let [head = '', tail] = ip.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  let parts = groups(head);
  if (tail !== undefined) {
    const t = groups(tail);
    parts = [...parts, ...Array<string>(8 - parts.length - t.length).fill('0'), ...t];
  }
  let value = parts.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
  value &= ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
  const out = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(16 * (7 - i))) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as PostgreSQL prints inet.
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && out[j] === '0') j++;
    if (j - i > (best[1] ?? 0) && j - i > 1) best = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const [start = -1, len = 0] = best;
  if (start < 0) return out.join(':');
  head = out.slice(0, start).join(':');
  tail = out.slice(start + len).join(':');
  return `${head}::${tail}`;
}

export const generalize: TransformerDefinition<GeneralizeParams> = {
  name: 'generalize',
  description:
    'Coarsens values: postal code → first 3 characters (123** or 123), birth date → year (1984-01-01 on date columns, ' +
    '1984 on text), numbers → bucket (42317 → 42000), IP → /24 (IPv6 /48). Not injective.',
  params,
  appliesTo: ['text', 'integer', 'numeric', 'date', 'timestamp'],
  deterministic: true,
  injective: false,
  create(p, ctx) {
    const kind = p.kind === 'auto' ? kindFor(ctx) : p.kind;
    if (kind === undefined) {
      throw new InvalidInputError(`generalize: cannot tell how to generalize ${columnId(ctx)}; set params.kind`, { column: columnId(ctx) });
    }
    const type = describePgType(ctx.column.pgType);
    const invalid = () => new InvalidInputError(`generalize (${kind}): ${columnId(ctx)} holds a value it cannot read`, { column: columnId(ctx) });
    const apply = (value: string): string => {
      switch (kind) {
        case 'postal': {
          let seen = 0;
          const out = [...value].map((c) => (/[\p{L}\p{Nd}]/u.test(c) ? (seen++ < p.keep ? c : p.pad ? '*' : '') : c)).join('');
          return p.pad ? out : out.replace(/[^\p{L}\p{Nd}]+$/u, '');
        }
        case 'date': {
          if (isInfinity(value)) return value;
          const d = parseDateText(value);
          if (!d) throw invalid();
          const month = p.dateTo === 'month' ? d.month : 1;
          const bc = d.rest.endsWith(' BC') ? ' BC' : '';
          if (type.kind === 'date') return formatDate(d.year, month, 1, bc);
          if (type.kind === 'timestamp') return formatDate(d.year, month, 1, ` 00:00:00${type.withTimeZone ? '+00' : ''}${bc}`);
          const text = formatDate(d.year, month, 1, bc);
          return p.dateTo === 'month' ? text.replace(/-01( BC)?$/, '$1') : text.replace(/-01-01( BC)?$/, '$1');
        }
        case 'number': {
          const v = value.trim();
          if (/^-?\d+$/.test(v) && Number.isInteger(p.bucket)) {
            const x = BigInt(v);
            const b = BigInt(p.bucket);
            const q = x / b - (x % b < 0n ? 1n : 0n);
            return String(q * b);
          }
          const x = Number(v);
          if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) || !Number.isFinite(x)) throw invalid();
          return String(Math.floor(x / p.bucket) * p.bucket);
        }
        case 'ip': {
          const [addr = '', prefix] = value.trim().split('/');
          if (isIPv4(addr)) {
            const bits = Math.min(p.ipv4Bits, prefix === undefined ? 32 : Number(prefix));
            return prefix === undefined ? maskIPv4(addr, bits) : `${maskIPv4(addr, bits)}/${bits}`;
          }
          if (isIPv6(addr) && !addr.includes('.')) {
            const bits = Math.min(p.ipv6Bits, prefix === undefined ? 128 : Number(prefix));
            return prefix === undefined ? maskIPv6(addr, bits) : `${maskIPv6(addr, bits)}/${bits}`;
          }
          throw invalid();
        }
      }
    };
    return {
      apply(value) {
        return value === null ? null : fitLength(apply(value), type.maxLength);
      },
    };
  },
};
