/**
 * Target environments: the databases TDM may provision into (and so may reset). Each one keeps its
 * connection as a stored Connection (password encrypted or referenced by environment variable).
 */
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError, NotFoundError, TdmError } from '../errors.ts';
import type { Environment, PrismaClient } from '../generated/prisma/client.ts';
import type { ConnectionStore } from './connections.ts';

export interface CreateEnvironmentInput {
  name: string;
  connectionString: string;
  passwordEnv?: string | null;
  description?: string | null;
  isDefault?: boolean;
}

const connectionName = (env: string) => `env:${env}`;

export class EnvironmentStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly connections: ConnectionStore,
  ) {}

  async create(input: CreateEnvironmentInput): Promise<Environment> {
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
    return this.prisma.environment.create({
      data: { name, connectionId: connection.id, description: input.description ?? null, isDefault: input.isDefault ?? false },
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

  async open(env: Environment): Promise<SqlClient> {
    return this.connections.open({ connectionId: env.connectionId });
  }

  /** The password-free url of an environment's database. */
  async url(env: Environment): Promise<string> {
    return (await this.connections.get(env.connectionId)).url;
  }
}
