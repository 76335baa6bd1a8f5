/**
 * Named connections. The stored `url` never holds a password: it is kept either as the name of an
 * environment variable (`passwordEnv`) or encrypted with the configured key (`passwordCipher`).
 */
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../db/sql-client.ts';
import { openSqlClient } from '../db/open.ts';
import { parseConnectionString } from '../db/url.ts';
import { decodeSecrets, encodeSecrets, joinSecrets, splitSecrets } from '../db/url-secrets.ts';
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

/** Splits a connection string into its secret-free form and the password (see db/url-secrets.ts). */
export function splitPassword(connectionString: string): { url: string; password: string | null } {
  const { url, secrets } = splitSecrets(connectionString);
  return { url, password: secrets.password };
}

/** Environment variables a connection may take its password from: never the server's own settings. */
export const PASSWORD_ENV_PATTERN = /^TDM_DB_PASSWORD_[A-Z0-9_]+$/;

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
    const { url, secrets } = splitSecrets(input.connectionString);
    if (secrets.password !== null && input.passwordEnv) {
      throw new InvalidInputError('give the password either in the connection string or as passwordEnv, not both');
    }
    if (input.passwordEnv && !PASSWORD_ENV_PATTERN.test(input.passwordEnv)) {
      // Any other name would let a caller send the server's own settings (DATABASE_URL, TDM_SECRET_KEY …) to a host of its choice.
      throw new InvalidInputError(`passwordEnv must name a variable matching ${PASSWORD_ENV_PATTERN.source}, got ${JSON.stringify(input.passwordEnv)}`);
    }
    const secret = encodeSecrets(secrets);
    if (await this.prisma.connection.findUnique({ where: { name } })) {
      throw new TdmError('CONFLICT', `a connection named ${JSON.stringify(name)} already exists`, { details: { name } });
    }
    return this.prisma.connection.create({
      data: {
        name,
        kind: parsed.kind === 'postgres' ? 'POSTGRES' : 'PGLITE',
        url,
        passwordEnv: input.passwordEnv ?? null,
        passwordCipher: secret === null ? null : this.box.encrypt(secret),
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
    if (row.passwordCipher) return joinSecrets(row.url, decodeSecrets(this.box.decrypt(row.passwordCipher)));
    if (!row.passwordEnv) return row.url;
    // Checked again here: a row stored before the pattern existed may name any variable.
    if (!PASSWORD_ENV_PATTERN.test(row.passwordEnv)) {
      throw new InvalidInputError(`connection ${row.name}: passwordEnv ${JSON.stringify(row.passwordEnv)} does not match ${PASSWORD_ENV_PATTERN.source}`);
    }
    const password = this.env[row.passwordEnv] ?? null;
    if (password === null) throw new InvalidInputError(`environment variable ${row.passwordEnv} (password of connection ${row.name}) is not set`);
    return joinSecrets(row.url, { password, params: {} });
  }

  /**
   * A stored connection for an inline connection string given to a job (workers in other processes
   * must open it): named after its password-free url, with the password encrypted like any other.
   */
  async upsertInline(connectionString: string): Promise<Connection> {
    const parsed = parseConnectionString(connectionString);
    const { url, secrets } = splitSecrets(connectionString);
    const name = `inline ${url}`;
    const secret = encodeSecrets(secrets);
    const passwordCipher = secret === null ? null : this.box.encrypt(secret);
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
