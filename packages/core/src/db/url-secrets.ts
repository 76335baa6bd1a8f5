/**
 * The secret parts of a connection string — the password of the user info and the `password=` /
 * `sslpassword=` parameters — split from the rest, so that what is stored, shown and logged is the
 * URL without them and the secrets go to the encrypted column only.
 */
import { parseConnectionString } from './url.ts';

/** Query parameters libpq reads as secrets. */
export const SECRET_PARAMS = ['password', 'sslpassword'] as const;

export interface UrlSecrets {
  /** The login password (a `password=` parameter wins over the user info, as in libpq). */
  password: string | null;
  /** Other secret parameters (`sslpassword`). */
  params: Record<string, string>;
}

/** `url` without any secret, and the secrets. PGlite strings have none. */
export function splitSecrets(connectionString: string): { url: string; secrets: UrlSecrets } {
  const parsed = parseConnectionString(connectionString);
  if (parsed.kind !== 'postgres') return { url: connectionString, secrets: { password: null, params: {} } };
  const u = new URL(connectionString);
  let password = u.password ? decodeURIComponent(u.password) : null;
  u.password = '';
  const params: Record<string, string> = {};
  for (const key of SECRET_PARAMS) {
    const value = u.searchParams.get(key);
    if (value === null) continue;
    u.searchParams.delete(key);
    if (key === 'password') password = value;
    else params[key] = value;
  }
  return { url: u.toString(), secrets: { password, params } };
}

/** Puts secrets back into a password-free url (to open it; never to show or store it). */
export function joinSecrets(url: string, secrets: UrlSecrets): string {
  if (secrets.password === null && Object.keys(secrets.params).length === 0) return url;
  const u = new URL(url);
  if (secrets.password !== null) u.password = encodeURIComponent(secrets.password);
  for (const [key, value] of Object.entries(secrets.params)) u.searchParams.set(key, value);
  return u.toString();
}

// A plain password is stored as itself (the format of stores older than secret parameters); more
// than a password as JSON behind a marker that no URL-encoded password can start with.
const MARKER = '\u0000tdm-secrets:';

/** The plaintext to encrypt for `secrets`, or null when there is nothing secret. */
export function encodeSecrets(secrets: UrlSecrets): string | null {
  if (Object.keys(secrets.params).length === 0) return secrets.password;
  return `${MARKER}${JSON.stringify(secrets)}`;
}

export function decodeSecrets(plaintext: string): UrlSecrets {
  if (!plaintext.startsWith(MARKER)) return { password: plaintext, params: {} };
  const parsed = JSON.parse(plaintext.slice(MARKER.length)) as UrlSecrets;
  return { password: parsed.password ?? null, params: parsed.params ?? {} };
}
