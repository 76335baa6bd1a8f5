import type { Tdm } from '@tdm/core/runtime';

export interface Context {
  tdm: Tdm;
  /** Who is acting: a token's name, or "anonymous" on an open local server. */
  actor: string;
}
