import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { SOURCE_ERRORS } from './errors.ts';

builder.prismaNode('Environment', {
  description: 'A target database TDM may provision into (and reset)',
  id: { field: 'id' },
  fields: (t) => ({
    rawId: t.exposeString('id'),
    name: t.exposeString('name'),
    isDefault: t.exposeBoolean('isDefault'),
    allowReset: t.exposeBoolean('allowReset', { description: 'Whether provisioning may reset (drop and recreate) what TDM loaded here' }),
    description: t.exposeString('description', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    connection: t.relation('connection'),
    tables: t.relation('tables', { description: 'Tables TDM provisioned here', query: { orderBy: [{ schemaName: 'asc' }, { tableName: 'asc' }] } }),
  }),
});

builder.prismaObject('ProvisionedTable', {
  fields: (t) => ({
    id: t.exposeID('id'),
    schema: t.exposeString('schemaName'),
    name: t.exposeString('tableName'),
    rowCount: t.float({ select: { rowCount: true }, resolve: (p) => Number(p.rowCount) }),
    provisionedAt: t.expose('provisionedAt', { type: 'DateTime' }),
    datasetVersion: t.relation('datasetVersion'),
    job: t.relation('job', { nullable: true }),
  }),
});

const CreateEnvironmentInput = builder.inputType('CreateEnvironmentInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    connectionString: t.string({ required: true }),
    passwordEnv: t.string({ required: false }),
    description: t.string({ required: false }),
    allowReset: t.boolean({ required: false, description: 'Let provisioning reset this target (default false)' }),
  }),
});

builder.queryFields((t) => ({
  environments: t.prismaField({
    type: ['Environment'],
    resolve: (query, _r, _a, ctx) => ctx.tdm.store.prisma.environment.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
  targetTables: t.prismaField({
    type: ['ProvisionedTable'],
    description: 'What TDM provisioned into an environment (by name or id)',
    errors: { types: SOURCE_ERRORS },
    args: { envId: t.arg.id({ required: true }) },
    resolve: async (query, _r, args, ctx) => {
      const env = await ctx.tdm.environments.resolve(rawId(args.envId, 'Environment'));
      return ctx.tdm.store.prisma.provisionedTable.findMany({
        ...query,
        where: { environmentId: env.id },
        orderBy: [{ schemaName: 'asc' }, { tableName: 'asc' }],
      });
    },
  }),
}));

builder.mutationFields((t) => ({
  createEnvironment: t.prismaField({
    type: 'Environment',
    description: 'Registers a target database; only registered environments can be provisioned into',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: CreateEnvironmentInput, required: true }) },
    resolve: async (query, _r, { input }, ctx) => {
      const env = await ctx.tdm.environments.create(input);
      await ctx.tdm.audit({ actor: ctx.actor, action: 'createEnvironment', targetKind: 'ENVIRONMENT', targetId: env.id, details: { name: env.name } });
      return ctx.tdm.store.prisma.environment.findUniqueOrThrow({ ...query, where: { id: env.id } });
    },
  }),
}));
