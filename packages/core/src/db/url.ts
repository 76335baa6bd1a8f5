/**
 * Connection strings: parsing into a typed target, and redaction so a password never reaches a
 * message, a log line or an error. Every error raised here is built from redacted text only.
 */
import { userInfo } from 'node:os';
import { InvalidConnectionStringError } from '../errors.ts';

export type ConnectionTarget =
  | {
      kind: 'postgres';
      host: string;
      port: number;
      database: string;
      user: string;
      password?: string;
      /** Query parameters other than host/port/user/password/dbname (`sslmode`, `application_name` …). */
      params: Record<string, string>;
    }
  | { kind: 'pglite' /** `null` = in memory */; dataDir: string | null };

/**
 * Parses `postgresql://` / `postgres://` URLs (libpq conventions: percent-encoding, `[::1]` hosts,
 * `?host=/socket/dir`, user defaults to `$PGUSER` or the OS user, database to the user), and the
 * embedded forms `pglite://<dir>` (relative to the working directory, or `pglite:///abs/dir`),
 * `pglite:memory` and `pglite://memory` (a directory named memory is `pglite://./memory`).
 * Throws `InvalidConnectionStringError` otherwise; the message holds the redacted string only.
 */
export function parseConnectionString(url: string): ConnectionTarget {
  const fail = (reason: string): never => {
    throw new InvalidConnectionStringError(`invalid connection string ${JSON.stringify(redactConnectionString(url))}: ${reason}`, {
      url: redactConnectionString(url),
    });
  };
  if (typeof url !== 'string' || !url.trim()) fail('it is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'pglite') return parsePglite(url.slice('pglite:'.length), fail);
  if (scheme !== 'postgresql' && scheme !== 'postgres') {
    fail(
      scheme
        ? `unsupported scheme "${scheme}:" (use postgresql://, pglite://<dir> or pglite:memory)`
        : 'expected postgresql://user@host:port/database, pglite://<dir> or pglite:memory',
    );
  }
  if (!url.slice(scheme!.length + 1).startsWith('//')) fail('expected "//" after the scheme');

  // WHATWG URL rejects an out-of-range port as a whole; say which part is wrong instead.
  const hostPort =
    /^[^/?#]*/
      .exec(url.slice(scheme!.length + 3))?.[0]
      .split('@')
      .at(-1) ?? '';
  // Digits only: other text after the colon may be a password written without "@" (never echoed).
  const authorityPort = /^(?:\[[^\]]*\]|[^:[\]]*):(\d+)$/.exec(hostPort)?.[1];
  if (authorityPort !== undefined) checkPort(authorityPort, fail);

  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail('not a valid URL (percent-encode special characters in the user name and password)');
  }
  const decode = (s: string, what: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return fail(`bad percent-encoding in the ${what}`);
    }
  };
  const params: Record<string, string> = {};
  for (const [k, v] of u.searchParams) params[k] = v;
  // libpq lets the query string override the authority parts (`?host=/var/run/postgresql` for a socket).
  const take = (key: string): string | undefined => {
    const value = params[key];
    delete params[key];
    return value || undefined;
  };
  const host = take('host') ?? (u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : decode(u.hostname, 'host'));
  if (!host) fail('missing host');
  if (host.includes(',')) fail('several hosts are not supported');
  const port = checkPort(take('port') ?? (u.port || '5432'), fail);
  const user = take('user') ?? (decode(u.username, 'user name') || process.env.PGUSER || userInfo().username);
  const password = take('password') ?? (u.password ? decode(u.password, 'password') : undefined);
  const database = take('dbname') ?? (decode(u.pathname.replace(/^\//, ''), 'database name') || user);
  if (database.includes('/')) fail('the path must be a single database name');
  return { kind: 'postgres', host, port, database, user, ...(password === undefined ? {} : { password }), params };
}

/** The port as a number; a port that is not one, or is out of range, fails saying which. */
function checkPort(text: string, fail: (reason: string) => never): number {
  if (!/^\d+$/.test(text)) fail(`bad port ${JSON.stringify(text)}: not a number (a port is 1 to 65535)`);
  const port = Number(text);
  if (port < 1 || port > 65535) fail(`bad port ${JSON.stringify(text)}: out of range (a port is 1 to 65535)`);
  return port;
}

function parsePglite(rest: string, fail: (reason: string) => never): ConnectionTarget {
  if (rest === 'memory' || rest === '//memory') return { kind: 'pglite', dataDir: null };
  if (!rest.startsWith('//')) fail('expected pglite://<directory> or pglite:memory');
  const path = rest.slice(2);
  if (!path) fail('missing data directory (pglite://<directory>, or pglite:memory)');
  let dataDir: string;
  try {
    dataDir = decodeURIComponent(path);
  } catch {
    return fail('bad percent-encoding in the data directory');
  }
  if (dataDir.includes('\0')) fail('the data directory contains a NUL byte');
  return { kind: 'pglite', dataDir };
}

/**
 * The same string with any password replaced by `***`. Works on unparsable input too: everything
 * between `://user:` and the last `@` is treated as the password, and so is a `password=` parameter.
 */
export function redactConnectionString(url: string): string {
  return String(url)
    .replace(/(:\/\/[^:@/?#\s]*:)(.*)@/s, '$1***@')
    .replace(NO_AT_PASSWORD, '$1***')
    .replace(SECRET_PARAM, '$1***');
}

/** `password=` and `sslpassword=` parameters; a value ends at `&`, white space or a quote (JSON, logs). */
const SECRET_PARAM = /(\b(?:ssl)?password=)('[^']*'|[^&\s"'<>]*)/gi;
/**
 * A malformed `scheme://user:secret/db` (no `@`): what follows `user:` is a password, unless it is
 * all digits (a port).
 */
const NO_AT_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:@/?#\s"']*:)(?!\d*(?:[/?#\s"']|$))([^@/?#\s"']+)(?=[/?#\s"']|$)/gi;

/**
 * Scrubs secrets out of arbitrary text (error messages, logs): each given secret in its raw and
 * percent-encoded forms, plus the password of any connection string embedded in the text.
 */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = String(text)
    // Greedy to the last `@` of the token: a password may hold a raw `@` in text that failed to parse.
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:@/?#\s]*:)[^\s"']*@/gi, '$1***@')
    .replace(NO_AT_PASSWORD, '$1***')
    .replace(SECRET_PARAM, '$1***');
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), encodeURI(secret)])) out = out.split(form).join('***');
  }
  return out;
}

/**
 * `redactSecrets` applied to every string of a JSON-like value (job input and config, audit details):
 * redacting the serialised text instead could cut through quotes and break the document.
 */
export function redactDeep<T>(value: T, secrets: readonly (string | null | undefined)[] = []): T {
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, /^(ssl)?password$/i.test(k) && typeof v === 'string' ? '***' : redactDeep(v, secrets)]),
    ) as T;
  }
  return value;
}
