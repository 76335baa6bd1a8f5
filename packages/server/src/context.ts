import type { Scope } from '@tdm/core/auth/tokens';
import type { Tdm } from '@tdm/core/runtime';

export interface Context {
  tdm: Tdm;
  /** Who is acting: a token's name, or "anonymous" on an open local server. */
  actor: string;
  /** The API token of the request, if any. */
  token: { id: string; scopes: Scope[] } | null;
  /** What the caller may do (every scope without a token on an open server). */
  scopes: Scope[];
}
