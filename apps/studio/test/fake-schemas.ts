// Fixed schemas of the fake API (fake-api.ts): shop, warehouse and crm with their versions, the
// shop's tables, and the resolvers that list, read and discover them.

export interface Version {
  __typename: 'SchemaVersion';
  id: string;
  version: number;
  contentHash: string;
  createdAt: string;
  tableCount: number;
  /** Set by `schema()`. */
  schema?: unknown;
  tables: unknown[];
}

const version = (id: string, n: number, tableCount: number, createdAt: string): Version => ({
  __typename: 'SchemaVersion',
  id,
  version: n,
  contentHash: `${n}f3a9c0e1b2d4${n}8a7e6c5b4a39281706`,
  createdAt,
  tableCount,
  tables: [],
});

export const SHOP_V2 = version('U2NoZW1hVmVyc2lvbjoy', 2, 4, '2026-11-20T09:30:00.000Z');
const SHOP_V1 = version('U2NoZW1hVmVyc2lvbjox', 1, 3, '2026-11-01T08:00:00.000Z');
const WAREHOUSE_V1 = version('U2NoZW1hVmVyc2lvbjoz', 1, 12, '2026-11-22T14:05:00.000Z');
const CRM_V1 = version('U2NoZW1hVmVyc2lvbjo0', 1, 7, '2026-11-25T10:00:00.000Z');

function schema(id: string, name: string, sourceUrl: string, schemaNames: string[], versions: Version[]) {
  const node = {
    __typename: 'Schema',
    id,
    name,
    sourceUrl,
    schemaNames,
    createdAt: versions.at(-1)?.createdAt,
    latestVersion: versions[0] ?? null,
    // A field with arguments: graphql-js calls it with them.
    versions: ({ first }: { first?: number | null }) => ({
      totalCount: versions.length,
      pageInfo: { hasNextPage: first != null && versions.length > first, hasPreviousPage: false, startCursor: null, endCursor: null },
      edges: versions.slice(0, first ?? undefined).map((node) => ({ cursor: node.id, node })),
    }),
  };
  for (const v of versions) v.schema = node;
  return node;
}

const col = (name: string, dataType: string, nullable: boolean, extra: { default?: string; identity?: string } = {}) => ({
  __typename: 'Column',
  name,
  dataType,
  nullable,
  default: extra.default ?? null,
  identity: extra.identity ?? null,
});

const TABLES = [
  {
    __typename: 'Table',
    id: 'VGFibGU6MQ==',
    schema: 'sales',
    name: 'customers',
    partitionOf: null,
    rowCount: 1523,
    rowEstimate: 1500,
    primaryKey: ['id'],
    columns: [
      col('id', 'bigint', false, { identity: 'ALWAYS' }),
      col('email', 'text', false),
      col('full_name', 'text', true),
      col('created_at', 'timestamp with time zone', false, { default: 'now()' }),
    ],
    foreignKeys: [],
  },
  {
    __typename: 'Table',
    id: 'VGFibGU6Mg==',
    schema: 'sales',
    name: 'orders',
    partitionOf: null,
    rowCount: 48210,
    rowEstimate: 48000,
    primaryKey: ['id', 'ordered_at'],
    columns: [
      col('id', 'bigint', false, { identity: 'BY DEFAULT' }),
      col('customer_id', 'bigint', false),
      col('ordered_at', 'timestamp with time zone', false),
      col('total', 'numeric(12,2)', false, { default: '0' }),
    ],
    foreignKeys: [
      {
        __typename: 'ForeignKey',
        name: 'orders_customer_id_fkey',
        columns: ['customer_id'],
        referencedSchema: 'sales',
        referencedTable: 'customers',
        referencedColumns: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
        target: { __typename: 'Table', id: 'VGFibGU6MQ==', schema: 'sales', name: 'customers' },
      },
    ],
  },
  {
    __typename: 'Table',
    id: 'VGFibGU6Mw==',
    schema: 'sales',
    name: 'orders_2026',
    partitionOf: 'sales.orders',
    rowCount: null,
    rowEstimate: 20133.4,
    primaryKey: ['id', 'ordered_at'],
    columns: [
      col('id', 'bigint', false),
      col('customer_id', 'bigint', false),
      col('ordered_at', 'timestamp with time zone', false),
      col('total', 'numeric(12,2)', false, { default: '0' }),
    ],
    foreignKeys: [],
  },
  {
    __typename: 'Table',
    id: 'VGFibGU6NA==',
    schema: 'public',
    name: 'audit_log',
    partitionOf: null,
    rowCount: 0,
    rowEstimate: null,
    primaryKey: [],
    columns: [col('at', 'timestamp with time zone', false), col('payload', 'jsonb', true)],
    foreignKeys: [],
  },
];

SHOP_V2.tables = TABLES;

/** The schema resolvers over a fresh list of schemas (discovering crm adds it), and every schema version. */
export function fakeSchemas() {
  const schemas = [
    schema('U2NoZW1hOjE=', 'shop', 'postgresql://app:***@db.internal:5432/shop', ['public', 'sales'], [SHOP_V2, SHOP_V1]),
    schema('U2NoZW1hOjI=', 'warehouse', 'postgresql://etl:***@10.0.4.17:5432/warehouse', ['inventory'], [WAREHOUSE_V1]),
  ];
  const versions = [SHOP_V2, SHOP_V1, WAREHOUSE_V1, CRM_V1];
  return {
    versions,
    resolvers: {
      schemas: ({ first }: { first?: number | null }) => ({
        totalCount: schemas.length,
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
        edges: schemas.slice(0, first ?? undefined).map((node, i) => ({ cursor: `c${i}`, node })),
      }),
      schemaVersion: ({ id }: { id: string }) => versions.find((v) => v.id === id) ?? null,
      discoverSchema: ({ input }: { input: { connectionString?: string; schemas?: string[] } }) => {
        if (String(input.connectionString).includes('unreachable')) {
          return { __typename: 'ConnectionError', message: 'Could not connect to unreachable:5432: connection refused', code: 'HOST_UNREACHABLE' };
        }
        if (!schemas.some((s) => s.name === 'crm')) {
          schemas.push(schema('U2NoZW1hOjM=', 'crm', 'postgresql://crm:***@localhost:5432/crm', input.schemas ?? ['public'], [CRM_V1]));
        }
        return { __typename: 'MutationDiscoverSchemaSuccess', data: CRM_V1 };
      },
    },
  };
}
