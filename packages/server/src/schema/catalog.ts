import { decodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { SOURCE_ERRORS } from './errors.ts';
import { bigToNumber } from './scalars.ts';

builder.prismaNode('Schema', {
  description: 'A discovered source: one database and the PostgreSQL schemas read from it',
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    sourceUrl: t.exposeString('sourceUrl', { description: 'The source connection string, without its password' }),
    schemaNames: t.exposeStringList('schemaNames'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    connection: t.relation('connection', { nullable: true }),
    latestVersion: t.field({
      type: SchemaVersion,
      nullable: true,
      select: { versions: { orderBy: { version: 'desc' }, take: 1 } },
      resolve: (s) => s.versions[0] ?? null,
    }),
    versions: t.relatedConnection('versions', { cursor: 'id', totalCount: true, query: { orderBy: { version: 'desc' } } }),
  }),
});

export const SchemaVersion = builder.prismaNode('SchemaVersion', {
  description: 'One immutable snapshot of a source catalog; identical rediscoveries return the same version',
  id: { field: 'id' },
  fields: (t) => ({
    version: t.exposeInt('version'),
    contentHash: t.exposeString('contentHash'),
    tableCount: t.exposeInt('tableCount'),
    serverVersion: t.exposeString('serverVersion', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime' }),
    schema: t.relation('schema'),
    tables: t.relation('tables', { query: { orderBy: { position: 'asc' } } }),
    table: t.prismaField({
      type: 'TableMeta',
      nullable: true,
      args: { schema: t.arg.string({ defaultValue: 'public' }), name: t.arg.string({ required: true }) },
      resolve: (query, sv, args, ctx) =>
        ctx.tdm.store.prisma.tableMeta.findUnique({
          ...query,
          where: { schemaVersionId_schemaName_name: { schemaVersionId: sv.id, schemaName: args.schema ?? 'public', name: args.name } },
        }),
    }),
    catalog: t.expose('catalog', { type: 'JSON', description: 'The whole catalog document' }),
  }),
});

builder.prismaObject('TableMeta', {
  name: 'Table',
  fields: (t) => ({
    id: t.exposeID('id'),
    schema: t.exposeString('schemaName'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    partitionOf: t.exposeString('partitionOf', { nullable: true, description: '"schema.table" of the declarative or INHERITS parent' }),
    partitionKind: t.exposeString('partitionKind', { nullable: true }),
    partitionBound: t.exposeString('partitionBound', { nullable: true }),
    primaryKey: t.exposeStringList('primaryKey'),
    rowCount: t.float({ nullable: true, select: { rowCount: true }, resolve: (r) => bigToNumber(r.rowCount) }),
    rowEstimate: t.float({ nullable: true, select: { rowEstimate: true }, resolve: (r) => bigToNumber(r.rowEstimate) }),
    comment: t.exposeString('comment', { nullable: true }),
    columns: t.relation('columns', { query: { orderBy: { position: 'asc' } } }),
    foreignKeys: t.relation('foreignKeys', { query: { orderBy: { name: 'asc' } } }),
    referencedBy: t.relation('referencedBy', { query: { orderBy: { name: 'asc' } } }),
    constraints: t.relation('constraints', { query: { orderBy: { name: 'asc' } } }),
    indexes: t.relation('indexes', { query: { orderBy: { name: 'asc' } } }),
  }),
});

builder.prismaObject('ColumnMeta', {
  name: 'Column',
  fields: (t) => ({
    name: t.exposeString('name'),
    position: t.exposeInt('position'),
    dataType: t.exposeString('dataType'),
    typeSchema: t.exposeString('typeSchema'),
    typeName: t.exposeString('typeName'),
    typeKind: t.exposeString('typeKind'),
    elementType: t.exposeString('elementType', { nullable: true }),
    enumLabels: t.exposeStringList('enumLabels'),
    domainBaseType: t.exposeString('domainBaseType', { nullable: true }),
    nullable: t.exposeBoolean('nullable'),
    default: t.exposeString('default', { nullable: true }),
    maxLength: t.exposeInt('maxLength', { nullable: true }),
    numericPrecision: t.exposeInt('numericPrecision', { nullable: true }),
    numericScale: t.exposeInt('numericScale', { nullable: true }),
    identity: t.exposeString('identity', { nullable: true }),
    generated: t.exposeString('generated', { nullable: true }),
    sequence: t.exposeString('sequence', { nullable: true }),
    comment: t.exposeString('comment', { nullable: true }),
  }),
});

builder.prismaObject('Relationship', {
  name: 'ForeignKey',
  fields: (t) => ({
    name: t.exposeString('name'),
    columns: t.exposeStringList('columns'),
    referencedSchema: t.exposeString('referencedSchema'),
    referencedTable: t.exposeString('referencedTable'),
    referencedColumns: t.exposeStringList('referencedColumns'),
    onDelete: t.exposeString('onDelete'),
    onUpdate: t.exposeString('onUpdate'),
    matchType: t.exposeString('matchType'),
    deferrable: t.exposeBoolean('deferrable'),
    initiallyDeferred: t.exposeBoolean('initiallyDeferred'),
    selfReference: t.exposeBoolean('selfReference'),
    table: t.relation('fromTable', { description: 'The referencing table' }),
    target: t.relation('toTable', { description: 'The referenced table' }),
  }),
});

builder.prismaObject('Constraint', {
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    columns: t.exposeStringList('columns'),
    definition: t.exposeString('definition'),
    deferrable: t.exposeBoolean('deferrable'),
  }),
});

builder.prismaObject('IndexMeta', {
  name: 'Index',
  fields: (t) => ({
    name: t.exposeString('name'),
    columns: t.exposeStringList('columns'),
    unique: t.exposeBoolean('unique'),
    primary: t.exposeBoolean('primary'),
    method: t.exposeString('method'),
    definition: t.exposeString('definition'),
  }),
});

const DiscoverSchemaInput = builder.inputType('DiscoverSchemaInput', {
  fields: (t) => ({
    connectionString: t.string({ required: false, description: 'postgresql://…, pglite://<dir> or pglite:memory' }),
    connectionId: t.id({ required: false, description: 'A stored connection (its global id or raw id)' }),
    schemas: t.stringList({ required: false, description: 'PostgreSQL schemas to read; default ["public"]' }),
  }),
});

/** Accepts a Relay global id or a raw database id. */
export function rawId(id: string | number | null | undefined, typename: string): string | undefined {
  if (id === null || id === undefined) return undefined;
  const s = String(id);
  try {
    const decoded = decodeGlobalID(s);
    if (decoded.typename === typename) return decoded.id;
  } catch {
    // not a global id
  }
  return s;
}

builder.queryFields((t) => ({
  schemas: t.prismaConnection({
    type: 'Schema',
    cursor: 'id',
    totalCount: (_conn, _args, ctx) => ctx.tdm.store.prisma.schema.count(),
    resolve: (query, _root, _args, ctx) => ctx.tdm.store.prisma.schema.findMany({ ...query, orderBy: { updatedAt: 'desc' } }),
  }),
  schemaVersion: t.prismaField({
    type: 'SchemaVersion',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => ctx.tdm.store.prisma.schemaVersion.findUnique({ ...query, where: { id: rawId(args.id, 'SchemaVersion') } }),
  }),
}));

builder.mutationFields((t) => ({
  discoverSchema: t.prismaField({
    type: 'SchemaVersion',
    description: 'Reads the catalog of a source database and stores it as a schema version (the existing one when unchanged)',
    errors: { types: SOURCE_ERRORS },
    args: { input: t.arg({ type: DiscoverSchemaInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const result = await ctx.tdm.discoverSchema({
        connectionString: input.connectionString,
        connectionId: rawId(input.connectionId, 'DatabaseConnection'),
        schemas: input.schemas,
      });
      await ctx.tdm.audit({
        actor: ctx.actor,
        action: 'discoverSchema',
        targetKind: 'SCHEMA_VERSION',
        targetId: result.schemaVersionId,
        details: result.summary,
      });
      return ctx.tdm.store.prisma.schemaVersion.findUniqueOrThrow({ ...query, where: { id: result.schemaVersionId } });
    },
  }),
}));
