import { builder } from '../builder.ts';
import { rawId } from './catalog.ts';
import { SOURCE_ERRORS } from './errors.ts';

const PasswordStorage = builder.enumType('PasswordStorage', {
  description: 'How a connection keeps its password: never in plain text',
  values: ['NONE', 'ENVIRONMENT', 'ENCRYPTED'] as const,
});

builder.prismaNode('Connection', {
  name: 'DatabaseConnection',
  description: 'A named database connection',
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    url: t.exposeString('url', { description: 'The connection string without its password' }),
    passwordStorage: t.field({
      type: PasswordStorage,
      select: { passwordEnv: true, passwordCipher: true },
      resolve: (c) => (c.passwordCipher ? 'ENCRYPTED' : c.passwordEnv ? 'ENVIRONMENT' : 'NONE'),
    }),
    passwordEnv: t.exposeString('passwordEnv', { nullable: true }),
    piiRules: t.field({
      type: 'JSON',
      nullable: true,
      description: "This source's own PII rules (the TDM_PII_RULES format, validated), applied on top of the global file",
      select: { piiRules: true },
      resolve: (c) => c.piiRules,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    schemas: t.relation('schemas'),
  }),
});

const CreateConnectionInput = builder.inputType('CreateConnectionInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    connectionString: t.string({ required: true }),
    passwordEnv: t.string({ required: false, description: 'Read the password from this environment variable instead of storing it' }),
    piiRules: t.field({
      type: 'JSON',
      required: false,
      description:
        'PII rules for the schemas discovered through this connection, on top of TDM_PII_RULES: YAML or JSON text, or the document itself (words, columns, values, exclude, overrides)',
    }),
  }),
});

builder.queryFields((t) => ({
  connections: t.prismaConnection({
    type: 'Connection',
    cursor: 'id',
    totalCount: (_conn, _args, ctx) => ctx.tdm.store.prisma.connection.count(),
    resolve: (query, _root, _args, ctx) => ctx.tdm.store.prisma.connection.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
}));

builder.mutationFields((t) => ({
  createConnection: t.prismaField({
    type: 'Connection',
    description: 'Stores a named connection; its password is encrypted or referenced by environment variable',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: CreateConnectionInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const row = await ctx.tdm.connections.create(input);
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'createConnection',
        targetKind: 'CONNECTION',
        targetId: row.id,
        details: { name: row.name, url: row.url },
      });
      return ctx.tdm.store.prisma.connection.findUniqueOrThrow({ ...query, where: { id: row.id } });
    },
  }),
  setConnectionPiiRules: t.prismaField({
    type: 'Connection',
    description:
      "Replaces a connection's PII rules (YAML or JSON text, or the document; null removes them); the next classification of its schemas follows them",
    errors: { types: SOURCE_ERRORS },
    args: {
      connectionId: t.arg.id({ required: true, description: 'The connection (its global id or raw id)' }),
      rules: t.arg({ type: 'JSON', required: false }),
    },
    resolve: async (query, _root, { connectionId, rules }, ctx) => {
      const row = await ctx.tdm.connections.setPiiRules(rawId(connectionId, 'DatabaseConnection') as string, rules ?? null);
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'setConnectionPiiRules',
        targetKind: 'CONNECTION',
        targetId: row.id,
        details: { name: row.name, cleared: row.piiRules === null },
      });
      return ctx.tdm.store.prisma.connection.findUniqueOrThrow({ ...query, where: { id: row.id } });
    },
  }),
}));
