/**
 * Named connections. The stored `url` never holds a password: it is kept either as the name of an
 * environment variable (`passwordEnv`) or encrypted with the configured key (`passwordCipher`).
 */
import type { SqlClient } from '../db/sql-client.ts';
import { openSqlClient } from '../db/open.ts';
import { SharedClient } from '../db/shared-client.ts';
import { assertPglitePathAllowed, type PglitePathPolicy } from '../db/pglite-paths.ts';
import { type ConnectionTarget, parseConnectionString } from '../db/url.ts';
import { decodeSecrets, encodeSecrets, joinSecrets, splitSecrets } from '../db/url-secrets.ts';
import { InvalidInputError, NotFoundError, TdmError } from '../errors.ts';
import { type Connection, Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { type PiiRules, parsePiiRules, readPiiRulesInput } from '../pii/rules-file.ts';
import type { SecretBox } from './secrets.ts';
import { recordSource } from './target-safety.ts';

export interface CreateConnectionInput {
  name: string;
  connectionString: string;
  /** Read the password from this environment variable at connect time instead of storing it. */
  passwordEnv?: string | null;
  /**
   * This source's own PII rules: YAML or JSON text, or the parsed document (the `TDM_PII_RULES`
   * format, see pii/rules-file.ts). Applied on top of the global file to every schema discovered
   * through the connection.
   */
  piiRules?: unknown;
}

/**
 * Where a run finds its source database: always a stored connection, so a worker in another process
 * can open it too. An inline connection string becomes one (see `refFor`). Graph state carries this
 * reference, never a connection string.
 */
export type SourceRef = { connectionId: string };

/** How a connection is opened: as a source (recorded by server identity, the default) or as a target. */
export interface OpenOptions {
  role?: 'source' | 'target';
}

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
  open(options?: OpenOptions): Promise<SqlClient>;
}

/** A run's sources (see `ConnectionStore.runSources`): resolves references, and closes what the run opened. */
export interface RunSources {
  (ref: SourceRef): Promise<ResolvedSource>;
  close(): Promise<void>;
}

/** Splits a connection string into its secret-free form and the password (see db/url-secrets.ts). */
export function splitPassword(connectionString: string): { url: string; password: string | null } {
  const { url, secrets } = splitSecrets(connectionString);
  return { url, password: secrets.password };
}

/** Environment variables a connection may take its password from: never the server's own settings. */
export const PASSWORD_ENV_PATTERN = /^TDM_DB_PASSWORD_[A-Z0-9_]+$/;

export interface ConnectionStoreOptions {
  /** Where `passwordEnv` variables are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Where `pglite://` directories may lie. */
  pglite: PglitePathPolicy;
}

export class ConnectionStore {
  private readonly env: NodeJS.ProcessEnv;
  private readonly pglite: PglitePathPolicy;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly box: SecretBox,
    options: ConnectionStoreOptions,
  ) {
    this.env = options.env ?? process.env;
    this.pglite = options.pglite;
  }

  /** Parses a connection string and refuses a `pglite://` directory outside the allowed ones (nothing is opened). */
  check(connectionString: string): ConnectionTarget {
    return this.#parse(connectionString);
  }

  /** Parses a connection string and refuses a `pglite://` directory outside the allowed ones. */
  #parse(connectionString: string): ConnectionTarget {
    const parsed = parseConnectionString(connectionString);
    if (parsed.kind === 'pglite' && parsed.dataDir !== null) assertPglitePathAllowed(parsed.dataDir, this.pglite);
    return parsed;
  }

  async create(input: CreateConnectionInput): Promise<Connection> {
    const name = input.name.trim();
    if (!name) throw new InvalidInputError('a connection needs a name');
    const parsed = this.#parse(input.connectionString);
    const { url, secrets } = splitSecrets(input.connectionString);
    if (secrets.password !== null && input.passwordEnv) {
      throw new InvalidInputError('give the password either in the connection string or as passwordEnv, not both');
    }
    if (input.passwordEnv && !PASSWORD_ENV_PATTERN.test(input.passwordEnv)) {
      // Any other name would let a caller send the server's own settings (DATABASE_URL, TDM_SECRET_KEY …) to a host of its choice.
      throw new InvalidInputError(`passwordEnv must name a variable matching ${PASSWORD_ENV_PATTERN.source}, got ${JSON.stringify(input.passwordEnv)}`);
    }
    const piiRules = readPiiRulesInput(input.piiRules, `PII rules of connection ${name}`);
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
        ...(piiRules ? { piiRules: piiRules as unknown as Prisma.InputJsonValue } : {}),
      },
    });
  }

  /** Replaces a connection's PII rules (text or document, validated; null removes them). */
  async setPiiRules(id: string, rules: unknown): Promise<Connection> {
    const row = await this.get(id);
    const parsed = readPiiRulesInput(rules, `PII rules of connection ${row.name}`);
    return this.prisma.connection.update({
      where: { id: row.id },
      data: { piiRules: parsed ? (parsed as unknown as Prisma.InputJsonValue) : Prisma.DbNull },
    });
  }

  /** The validated PII rules of a connection; null when it has none (or when `id` is null). */
  async piiRules(id: string | null | undefined): Promise<PiiRules | null> {
    if (!id) return null;
    const row = await this.prisma.connection.findUnique({ where: { id }, select: { name: true, piiRules: true } });
    if (!row || row.piiRules === null) return null;
    // Stored validated; validated again so a document written by an older version still fails loudly.
    return parsePiiRules(row.piiRules, `PII rules of connection ${row.name}`);
  }

  async get(id: string): Promise<Connection> {
    const row = await this.prisma.connection.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('connection', id);
    return row;
  }

  /** The full connection string (password included) of a stored connection: for opening it only. */
  async connectionString(id: string, fetched?: Connection): Promise<string> {
    const row = fetched ?? (await this.get(id));
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
    const parsed = this.#parse(connectionString);
    const { url, secrets } = splitSecrets(connectionString);
    const name = `inline ${url}`;
    const secret = encodeSecrets(secrets);
    // Every job on one inline source lands here: an unchanged row is returned as it is, not rewritten
    // (a fresh cipher each time), so concurrent submissions do not queue on its row lock.
    const stored = await this.prisma.connection.findUnique({ where: { name } });
    if (stored && stored.passwordEnv === null && this.#sameSecret(stored.passwordCipher, secret)) return stored;
    const passwordCipher = secret === null ? null : this.box.encrypt(secret);
    return this.prisma.connection.upsert({
      where: { name },
      create: { name, kind: parsed.kind === 'postgres' ? 'POSTGRES' : 'PGLITE', url, passwordCipher },
      update: { passwordCipher, passwordEnv: null },
    });
  }

  #sameSecret(cipher: string | null, secret: string | null): boolean {
    if (cipher === null || secret === null) return cipher === secret;
    try {
      return this.box.decrypt(cipher) === secret;
    } catch {
      return false;
    }
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
    // Checked again here: a connection stored before the rule (or with other roots) may point anywhere.
    const kind = this.#parse(url).kind;
    return { ref: { connectionId: row.id }, displayUrl: row.url, kind, open: (options = {}) => this.#openAs(url, options) };
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

  /**
   * The sources of one run (a subset with its discovery, a workflow job): each is fetched once, as with
   * `resolver()`, and opened once — every `open()` as a source borrows the same client (see
   * db/shared-client.ts), recorded as a source once. The run calls `close()` when it ends.
   */
  runSources(): RunSources {
    const shared = new Map<string, SharedClient>();
    const resolve = this.resolver();
    const sources = async (ref: SourceRef): Promise<ResolvedSource> => {
      const resolved = await resolve(ref);
      let client = shared.get(resolved.ref.connectionId);
      if (!client) {
        client = new SharedClient(() => resolved.open());
        shared.set(resolved.ref.connectionId, client);
      }
      const borrowed = client;
      return { ...resolved, open: (options = {}) => (options.role === 'target' ? resolved.open(options) : borrowed.lease()) };
    };
    return Object.assign(sources, {
      close: async () => {
        await Promise.all([...shared.values()].map((c) => c.close()));
      },
    });
  }

  /** The password-free url of a reference, for display and for identifying the source. */
  async displayUrl(ref: SourceRef): Promise<string> {
    return (await this.get(ref.connectionId)).url;
  }

  /**
   * Opens a connection. As a source (the default) the database is remembered by server identity, so
   * that no target environment can point at it later (see target-safety.ts).
   */
  async open(ref: SourceRef, options: OpenOptions = {}): Promise<SqlClient> {
    return (await this.resolve(ref)).open(options);
  }

  async #openAs(url: string, options: OpenOptions): Promise<SqlClient> {
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
}
