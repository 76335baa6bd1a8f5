/**
 * Target environments: the databases TDM may provision into (and so may reset). Each one keeps its
 * connection as a stored Connection (password encrypted or referenced by environment variable).
 */
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError, NotFoundError, TdmError } from '../errors.ts';
import type { Environment, PrismaClient } from '../generated/prisma/client.ts';
import type { ConnectionStore } from './connections.ts';
import { assertSafeTarget, assertSafeTargetIdentity } from './target-safety.ts';

export interface CreateEnvironmentInput {
  name: string;
  connectionString: string;
  passwordEnv?: string | null;
  description?: string | null;
  isDefault?: boolean;
  /** Whether provisioning may reset (drop and recreate) what TDM loaded here; default false. */
  allowReset?: boolean | null;
}

const connectionName = (env: string) => `env:${env}`;

export class EnvironmentStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly connections: ConnectionStore,
    /** The metadata store's own connection: no environment may point at it. */
    private readonly metadata: SqlClient,
  ) {}

  /**
   * `options.targetIdentity`: the target's `serverIdentity()`, already read (by the server's first start,
   * in a child process); the check then does not open the target here.
   */
  async create(input: CreateEnvironmentInput, options: { targetIdentity?: string } = {}): Promise<Environment> {
    const name = input.name?.trim();
    if (!name) throw new InvalidInputError('an environment needs a name');
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) {
      throw new InvalidInputError(`environment names are letters, digits, '.', '_' and '-' (got ${JSON.stringify(name)})`);
    }
    if (await this.prisma.environment.findUnique({ where: { name } })) {
      throw new TdmError('CONFLICT', `an environment named ${JSON.stringify(name)} already exists`, { details: { name } });
    }
    const existing = await this.prisma.connection.findUnique({ where: { name: connectionName(name) } });
    if (existing) await this.prisma.connection.delete({ where: { id: existing.id } });
    const connection = await this.connections.create({
      name: connectionName(name),
      connectionString: input.connectionString,
      passwordEnv: input.passwordEnv ?? null,
    });
    try {
      // Connects now: an environment is checked by what it points at, not by its URL text.
      if (options.targetIdentity === undefined) await this.assertSafe(connection.id, name);
      else {
        const target = { identity: options.targetIdentity, redactedUrl: connection.url };
        await assertSafeTargetIdentity({ prisma: this.prisma, metadata: this.metadata }, target, name);
      }
    } catch (err) {
      await this.prisma.connection.delete({ where: { id: connection.id } }).catch(() => undefined);
      throw err;
    }
    return this.prisma.environment.create({
      data: {
        name,
        connectionId: connection.id,
        description: input.description ?? null,
        isDefault: input.isDefault ?? false,
        allowReset: input.allowReset ?? false,
      },
    });
  }

  /** By name or id; `null`/empty means the default environment. */
  async resolve(nameOrId?: string | null): Promise<Environment> {
    const key = nameOrId?.trim();
    const env = key
      ? await this.prisma.environment.findFirst({ where: { OR: [{ name: key }, { id: key }] } })
      : await this.prisma.environment.findFirst({ where: { isDefault: true } });
    if (!env) throw new NotFoundError('environment', key ?? 'default');
    return env;
  }

  /** Opens an environment's database for writing, refusing the metadata store and known sources. */
  async open(env: Environment): Promise<SqlClient> {
    const sql = await this.connections.open({ connectionId: env.connectionId }, { role: 'target' });
    try {
      await assertSafeTarget({ prisma: this.prisma, metadata: this.metadata }, sql, env.name);
    } catch (err) {
      await sql.close();
      throw err;
    }
    return sql;
  }

  async assertSafe(connectionId: string, name: string): Promise<void> {
    const sql = await this.connections.open({ connectionId }, { role: 'target' });
    try {
      await assertSafeTarget({ prisma: this.prisma, metadata: this.metadata }, sql, name);
    } finally {
      await sql.close();
    }
  }

  /** The password-free url of an environment's database. */
  async url(env: Environment): Promise<string> {
    return (await this.connections.get(env.connectionId)).url;
  }
}
