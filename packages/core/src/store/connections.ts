/**
 * Named connections. The stored `url` never holds a password: it is kept either as the name of an
 * environment variable (`passwordEnv`) or encrypted with the configured key (`passwordCipher`).
 */
import type { SqlClient } from '../db/sql-client.ts';
import { openSqlClient } from '../db/open.ts';
import { parseConnectionString } from '../db/url.ts';
import { InvalidInputError, NotFoundError, TdmError } from '../errors.ts';
import type { Connection, PrismaClient } from '../generated/prisma/client.ts';
import type { SecretBox } from './secrets.ts';

export interface CreateConnectionInput {
  name: string;
  connectionString: string;
  /** Read the password from this environment variable at connect time instead of storing it. */
  passwordEnv?: string | null;
}

/**
 * Where a run finds its source database: always a stored connection, so a worker in another process
 * can open it too. An inline connection string becomes one (see `refFor`). Graph state carries this
 * reference, never a connection string.
 */
export type SourceRef = { connectionId: string };

/** How a request names its source: a connection string or a stored connection's id (not both). */
export interface SourceInput {
  connectionString?: string | null;
  connectionId?: string | null;
}

/**
 * A source fetched, decrypted and parsed once for a run: `open()` connects as often as the run
 * needs without reading the metadata store again. Held in memory by the run, never in graph state.
 */
export interface ResolvedSource {
  ref: SourceRef;
  /** The connection string without its password. */
  displayUrl: string;
  kind: 'postgres' | 'pglite';
  open(): Promise<SqlClient>;
}

/** Splits a connection string into its password-free form and the password. */
export function splitPassword(connectionString: string): { url: string; password: string | null } {
  const parsed = parseConnectionString(connectionString);
  if (parsed.kind !== 'postgres') return { url: connectionString, password: null };
  const u = new URL(connectionString);
  const password = u.password ? decodeURIComponent(u.password) : null;
  u.password = '';
  return { url: u.toString(), password };
}

function withPassword(url: string, password: string | null): string {
  if (password === null) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export class ConnectionStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly box: SecretBox,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async create(input: CreateConnectionInput): Promise<Connection> {
    const name = input.name.trim();
    if (!name) throw new InvalidInputError('a connection needs a name');
    const parsed = parseConnectionString(input.connectionString);
    const { url, password } = splitPassword(input.connectionString);
    if (password !== null && input.passwordEnv) {
      throw new InvalidInputError('give the password either in the connection string or as passwordEnv, not both');
    }
    if (input.passwordEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(input.passwordEnv)) {
      throw new InvalidInputError(`passwordEnv must be an environment variable name, got ${JSON.stringify(input.passwordEnv)}`);
    }
    if (await this.prisma.connection.findUnique({ where: { name } })) {
      throw new TdmError('CONFLICT', `a connection named ${JSON.stringify(name)} already exists`, { details: { name } });
    }
    return this.prisma.connection.create({
      data: {
        name,
        kind: parsed.kind === 'postgres' ? 'POSTGRES' : 'PGLITE',
        url,
        passwordEnv: input.passwordEnv ?? null,
        passwordCipher: password === null ? null : this.box.encrypt(password),
      },
    });
  }

  async get(id: string): Promise<Connection> {
    const row = await this.prisma.connection.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('connection', id);
    return row;
  }

  /** The full connection string (password included) of a stored connection: for opening it only. */
  async connectionString(id: string, fetched?: Connection): Promise<string> {
    const row = fetched ?? (await this.get(id));
    let password: string | null = null;
    if (row.passwordCipher) password = this.box.decrypt(row.passwordCipher);
    else if (row.passwordEnv) {
      password = this.env[row.passwordEnv] ?? null;
      if (password === null) throw new InvalidInputError(`environment variable ${row.passwordEnv} (password of connection ${row.name}) is not set`);
    }
    return withPassword(row.url, password);
  }

  /**
   * A stored connection for an inline connection string given to a job (workers in other processes
   * must open it): named after its password-free url, with the password encrypted like any other.
   */
  async upsertInline(connectionString: string): Promise<Connection> {
    const parsed = parseConnectionString(connectionString);
    const { url, password } = splitPassword(connectionString);
    const name = `inline ${url}`;
    const passwordCipher = password === null ? null : this.box.encrypt(password);
    return this.prisma.connection.upsert({
      where: { name },
      create: { name, kind: parsed.kind === 'postgres' ? 'POSTGRES' : 'PGLITE', url, passwordCipher },
      update: { passwordCipher, passwordEnv: null },
    });
  }

  /**
   * The one place a request's source becomes a `SourceRef`: a stored connection's id as it is, an
   * inline connection string as a stored connection named after its password-free url (password
   * encrypted). Null when the request names no source.
   */
  async refFor(input: SourceInput): Promise<SourceRef | null> {
    if (input.connectionId && input.connectionString) throw new InvalidInputError('give either connectionString or connectionId, not both');
    if (input.connectionId) return { connectionId: (await this.get(input.connectionId)).id };
    if (input.connectionString) return { connectionId: (await this.upsertInline(input.connectionString)).id };
    return null;
  }

  /** Fetches, decrypts and parses the source once; see `ResolvedSource`. */
  async resolve(ref: SourceRef): Promise<ResolvedSource> {
    const row = await this.get(ref.connectionId);
    const url = await this.connectionString(row.id, row);
    const kind = parseConnectionString(url).kind;
    return { ref: { connectionId: row.id }, displayUrl: row.url, kind, open: () => openSqlClient(url) };
  }

  /** A per-run memo of `resolve`: each source of the run is read from the store once. */
  resolver(): (ref: SourceRef) => Promise<ResolvedSource> {
    const cache = new Map<string, Promise<ResolvedSource>>();
    return (ref) => {
      let hit = cache.get(ref.connectionId);
      if (!hit) {
        hit = this.resolve(ref);
        hit.catch(() => cache.delete(ref.connectionId));
        cache.set(ref.connectionId, hit);
      }
      return hit;
    };
  }

  /** The password-free url of a reference, for display and for identifying the source. */
  async displayUrl(ref: SourceRef): Promise<string> {
    return (await this.get(ref.connectionId)).url;
  }

  async open(ref: SourceRef): Promise<SqlClient> {
    return (await this.resolve(ref)).open();
  }
}
