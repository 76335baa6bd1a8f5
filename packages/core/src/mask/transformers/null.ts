/** `null`: the value becomes SQL NULL. */
import { z } from 'zod';
import type { TransformerDefinition } from '../types.ts';

const params = z.object({});
export type NullParams = z.output<typeof params>;

export const nullify: TransformerDefinition<NullParams> = {
  name: 'null',
  description: 'Always NULL. Only for nullable columns: on a NOT NULL column the load fails (use redact or fake there).',
  params,
  appliesTo: ['any'],
  deterministic: true,
  injective: false,
  create() {
    return { apply: () => null };
  },
};
