/**
 * Named connections. The stored `url` never holds a password: it is kept either as the name of an
 * environment variable (`passwordEnv`) or encrypted with the configured key (`passwordCipher`).
 */
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../db/sql-client.ts';
import { openSqlClient } from '../db/open.ts';
import { parseConnectionString } from '../db/url.ts';
import { InvalidInputError, NotFoundError, TdmError } from '../errors.ts';
import type { Connection, PrismaClient } from '../generated/prisma/client.ts';
import type { SecretBox } from './secrets.ts';
import { recordSource } from './target-safety.ts';

export interface CreateConnectionInput {
  name: string;
  connectionString: string;
  /** Read the password from this environment variable at connect time instead of storing it. */
  passwordEnv?: string | null;
}

/** Where a step finds its source database: a stored connection or a per-process inline string. */
export type SourceRef = { connectionId: string } | { inlineKey: string };

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
  /** Inline connection strings given to a single call; kept in memory only, never persisted. */
  readonly #inline = new Map<string, string>();

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
  async connectionString(id: string): Promise<string> {
    const row = await this.get(id);
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

  /** Registers an inline connection string for this process and returns a reference to it. */
  registerInline(connectionString: string): SourceRef {
    parseConnectionString(connectionString);
    const inlineKey = randomUUID();
    this.#inline.set(inlineKey, connectionString);
    return { inlineKey };
  }

  releaseInline(ref: SourceRef): void {
    if ('inlineKey' in ref) this.#inline.delete(ref.inlineKey);
  }

  /** The password-free url of a reference, for display and for identifying the source. */
  async displayUrl(ref: SourceRef): Promise<string> {
    if ('connectionId' in ref) return (await this.get(ref.connectionId)).url;
    return splitPassword(this.#resolveInline(ref.inlineKey)).url;
  }

  /**
   * Opens a connection. As a source (the default) the database is remembered by server identity, so
   * that no target environment can point at it later (see target-safety.ts).
   */
  async open(ref: SourceRef, options: { role?: 'source' | 'target' } = {}): Promise<SqlClient> {
    const url = 'connectionId' in ref ? await this.connectionString(ref.connectionId) : this.#resolveInline(ref.inlineKey);
    const sql = await openSqlClient(url);
    if (options.role === 'target') return sql;
    try {
      await recordSource(this.prisma, sql);
    } catch (err) {
      await sql.close();
      throw err;
    }
    return sql;
  }

  #resolveInline(key: string): string {
    const url = this.#inline.get(key);
    if (!url) throw new NotFoundError('inline connection', key);
    return url;
  }
}
