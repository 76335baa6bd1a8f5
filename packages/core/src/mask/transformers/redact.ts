/**
 * `redact`: replaces the value with a fixed mask, or (`mode: 'format'`) keeps its shape so testers
 * still see what kind of value it was: `john.doe@example.com` → `j***@e***.com`, `+1 (555) 123-4567`
 * → `+# (###) ###-####`. Not reversible, not injective.
 */
import { z } from 'zod';
import { describePgType, fitLength } from '../pg-type.ts';
import type { TransformerDefinition } from '../types.ts';

const params = z.object({
  mode: z.enum(['full', 'format']).default('full').describe("full: the whole value becomes '***'; format: keeps email shape, separators and length"),
  char: z.string().length(1).default('*').describe('Mask character for letters and whole values'),
  digitChar: z.enum(['#', 'X', '*']).default('#').describe('Mask character for digits in format mode'),
  keepLength: z.boolean().default(false).describe('full mode and email parts: as many mask characters as the original had'),
});
export type RedactParams = z.output<typeof params>;

const EMAIL = /^([^@\s]+)@([^@\s]+)\.([^.@\s]+)$/;

export const redact: TransformerDefinition<RedactParams> = {
  name: 'redact',
  description:
    "Replaces the value with '***' (full) or keeps its format (j***@e***.com; digits → # with separators kept). Not injective: do not use on unique columns.",
  params,
  appliesTo: ['text'],
  deterministic: true,
  injective: false,
  create(p, ctx) {
    const { maxLength } = describePgType(ctx.column.pgType);
    const stars = (s: string) => p.char.repeat(p.keepLength ? Math.max([...s].length - 1, 0) : 3);
    const shape = (s: string) => s.replace(/(\p{Nd})|[\p{L}\p{M}]/gu, (_, digit?: string) => (digit ? p.digitChar : p.char));
    return {
      apply(value) {
        if (value === null) return null;
        if (p.mode === 'full') return fitLength(p.char.repeat(p.keepLength ? [...value].length : 3), maxLength);
        const email = EMAIL.exec(value);
        if (email) {
          const [, local = '', domain = '', tld = ''] = email;
          const first = (s: string) => [...s][0] ?? '';
          return fitLength(`${first(local)}${stars(local)}@${first(domain)}${stars(domain)}.${tld}`, maxLength);
        }
        return fitLength(shape(value), maxLength);
      },
    };
  },
};
