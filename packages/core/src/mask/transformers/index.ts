/**
 * The built-in transformers, one file each. Adding a transformer means adding its file and one
 * line here; `registry.ts` registers this list.
 */
import type { AnyTransformerDefinition } from '../types.ts';
import { dateShift } from './date-shift.ts';
import { fake } from './fake.ts';
import { generalize } from './generalize.ts';
import { hash } from './hash.ts';
import { nullify } from './null.ts';
import { partial } from './partial.ts';
import { redact } from './redact.ts';
import { shuffle } from './shuffle.ts';
import { tokenize } from './tokenize.ts';

export const builtinTransformers: readonly AnyTransformerDefinition[] = [hash, redact, tokenize, fake, partial, nullify, shuffle, dateShift, generalize];
