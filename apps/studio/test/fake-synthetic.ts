// Synthetic data of the fake API (fake-api.ts): domain packs, the test-case analysis, generated
// datasets and the preview of their rows.
import type { Version } from './fake-schemas';

export const DOMAIN_PACKS = [
  {
    __typename: 'DomainPack',
    name: 'ecommerce',
    version: '1.0.0',
    description: 'Online retail: customers, a product catalogue, orders with their items, payments and invoices, sellers and reviews.',
    entities: [
      { name: 'customer', description: 'A person (or, in b2b, a company buyer) who places orders.' },
      { name: 'product', description: 'An item of the catalogue, with its price and stock.' },
      { name: 'order', description: 'A purchase by a customer; its total is the sum of its items.' },
      { name: 'order_item', description: 'One product line of an order.' },
      { name: 'payment', description: 'A payment of an order, after it was placed.' },
      { name: 'invoice', description: 'A b2b invoice with payment terms.' },
    ],
    scenarios: [
      {
        name: 'b2c',
        description: 'Consumer web shop — customers, catalogue, orders with items, and card/wallet payments.',
        entities: ['customer', 'product', 'order', 'order_item', 'payment'],
        defaultRowCounts: [
          { table: 'customer', rowCount: 2000 },
          { table: 'product', rowCount: 400 },
          { table: 'order', rowCount: 6000 },
          { table: 'order_item', rowCount: 15000 },
          { table: 'payment', rowCount: 5600 },
        ],
      },
      {
        name: 'b2b',
        description: 'Wholesale — company buyers, bulk quantities, invoices with payment terms.',
        entities: ['customer', 'product', 'order', 'order_item', 'invoice', 'payment'],
        defaultRowCounts: [
          { table: 'customer', rowCount: 300 },
          { table: 'product', rowCount: 800 },
          { table: 'order', rowCount: 2400 },
          { table: 'order_item', rowCount: 12000 },
          { table: 'invoice', rowCount: 2400 },
          { table: 'payment', rowCount: 2100 },
        ],
      },
    ],
  },
  {
    __typename: 'DomainPack',
    name: 'banking',
    version: '1.2.0',
    description: 'Retail banking: customers, branches, accounts, cards, booked transactions and loans.',
    entities: [
      { name: 'branch', description: 'A bank branch.' },
      { name: 'customer', description: 'An adult holding accounts.' },
      { name: 'account', description: "An account in the currency of the customer's country." },
      { name: 'transaction', description: 'A booked transaction; their sum is the balance.' },
    ],
    scenarios: [
      {
        name: 'retail',
        description: 'Branches, customers, their accounts and a year of transactions.',
        entities: ['branch', 'customer', 'account', 'transaction'],
        defaultRowCounts: [
          { table: 'branch', rowCount: 20 },
          { table: 'customer', rowCount: 1000 },
          { table: 'account', rowCount: 1500 },
          { table: 'transaction', rowCount: 30000 },
        ],
      },
    ],
  },
];

/** A Gherkin scenario; the fake's analysis finds its fields on the lines where they appear. */
export const REGISTER_FEATURE = `Feature: Account registration
  Scenario: Registering a new account
    When I want to register a new account
    And I specify the first name as "Saul"
    And I specify the email as "goodman@gmail.com"
    And I specify the password as "heisenberg"
    And I register this account
    Then I should be notified that the email is already used
`;

type Cell = (i: number) => unknown;
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson'];
const at = (i: number) => new Date(Date.UTC(2026, 0, 1 + i, 9 + (i % 8), (i * 7) % 60)).toISOString();

/** Columns of the generated tables the fake knows (other tables get id + name), with a value per row index. */
const TABLE_COLUMNS: Record<string, [name: string, pgType: string, cell: Cell][]> = {
  customer: [
    ['id', 'bigint', (i) => String(i + 1)],
    ['first_name', 'varchar(60)', (i) => FIRST[i % FIRST.length]],
    ['last_name', 'varchar(60)', (i) => LAST[(i * 3) % LAST.length]],
    ['email', 'varchar(120)', (i) => `${FIRST[i % FIRST.length]?.toLowerCase()}.${i + 1}@example.com`],
    ['country_code', 'char(2)', (i) => ['US', 'GB', 'DE', 'FR', 'JP'][i % 5]],
    ['marketing_opt_in', 'boolean', (i) => i % 3 === 0],
    ['phone', 'varchar(32)', (i) => (i % 4 === 3 ? null : `+1 555 01${String(i).padStart(2, '0')}`)],
    ['created_at', 'timestamp', at],
  ],
  product: [
    ['id', 'bigint', (i) => String(i + 1)],
    ['sku', 'varchar(24)', (i) => `SKU-${String(10000 + i * 37)}`],
    ['name', 'varchar(120)', (i) => ['Desk lamp', 'Notebook', 'Headphones', 'Kettle'][i % 4]],
    ['price', 'numeric(10,2)', (i) => (9.99 + i * 3.5).toFixed(2)],
  ],
  order: [
    ['id', 'bigint', (i) => String(i + 1)],
    ['customer_id', 'bigint', (i) => String((i % 7) + 1)],
    ['status', 'order_status', (i) => ['paid', 'shipped', 'delivered', 'pending'][i % 4]],
    ['ordered_at', 'timestamp', at],
    ['total', 'numeric(12,2)', (i) => (25 + i * 11.25).toFixed(2)],
  ],
  user: [
    ['id', 'integer', (i) => i + 1],
    ['first_name', 'varchar(255)', (i) => (i === 0 ? 'Saul' : FIRST[i % FIRST.length])],
    ['email', 'varchar(255)', (i) => (i === 0 ? 'goodman@gmail.com' : `user${i}@example.org`)],
    ['password', 'varchar(255)', (i) => (i === 0 ? 'heisenberg' : `pw-${i}-x9`)],
  ],
};

export interface Generated {
  id: string;
  tables: { schema: string; name: string; rowCount: number }[];
}

function previewOf(dataset: Generated, table: string, limit: number) {
  const t = dataset.tables.find((x) => `${x.schema}.${x.name}` === table || x.name === table);
  if (!t) throw new Error(`table in dataset version not found: ${table}`);
  const columns = TABLE_COLUMNS[t.name] ?? [
    ['id', 'bigint', (i: number) => String(i + 1)],
    ['name', 'text', (i: number) => `${t.name} ${i + 1}`],
  ];
  const rows = Array.from({ length: Math.min(limit, t.rowCount) }, (_, i) => Object.fromEntries(columns.map(([name, , cell]) => [name, cell(i) ?? null])));
  return {
    schema: t.schema,
    table: t.name,
    rowCount: t.rowCount,
    columns: columns.map(([name, pgType]) => ({ name, pgType, nullable: name !== 'id', parquetType: 'STRING' })),
    rows,
  };
}

interface GenerateInput {
  mode: 'DOMAIN' | 'TEST_CASE' | 'URL' | 'SCHEMA';
  domain?: string;
  scenario?: string;
  testCaseContent?: string;
  testCaseUrls?: string[];
  schemaVersionId?: string;
  rowCounts?: Record<string, number>;
  seed?: number;
}

/** The synthetic-data resolvers; generated datasets are kept in `datasets` for previews and provisioning. */
export function syntheticResolvers(versions: readonly Version[], datasets: Map<string, Generated>) {
  return {
    domainPacks: () => DOMAIN_PACKS,
    analyzeTestCase: ({ input }: { input: { content: string; fileName?: string | null } }) => {
      if (!input.content.trim()) return { __typename: 'InvalidInputError', message: 'the test case is empty', code: 'INVALID_INPUT' };
      if (!/^\s*(Feature|Scenario):/m.test(input.content)) return { __typename: 'QueryAnalyzeTestCaseSuccess', data: { format: 'UNKNOWN', entities: [] } };
      const lines = input.content.split('\n');
      const lineOf = (needle: string) => lines.findIndex((line) => line.includes(needle)) + 1;
      const fields = [
        { name: 'first_name', type: 'string', constraints: ['required'], exampleValues: ['Saul'], source: { line: lineOf('first name') } },
        {
          name: 'email',
          type: 'email',
          constraints: ['required', 'unique', 'valid_format'],
          exampleValues: ['goodman@gmail.com'],
          source: { line: lineOf('email') },
        },
        { name: 'password', type: 'password', constraints: ['min_length:8'], exampleValues: ['heisenberg'], source: { line: lineOf('password') } },
      ].filter((f) => f.source.line > 0);
      const exampleRow = Object.fromEntries(fields.map((f) => [f.name, f.exampleValues[0]]));
      return { __typename: 'QueryAnalyzeTestCaseSuccess', data: { format: 'GHERKIN', entities: [{ name: 'user', fields, exampleRows: [exampleRow] }] } };
    },
    generateSynthetic: ({ input }: { input: GenerateInput }) => {
      const rows = input.rowCounts?.['*'] ?? 100;
      const table = (name: string, schema = 'public') => ({ schema, name, rowCount: rows });
      let tables: Generated['tables'];
      let skippedUrls: { url: string; reason: string; message: string }[] = [];
      let schemaVersionId = 'U2NoZW1hVmVyc2lvbjpzeW50aGV0aWM=';
      if (input.mode === 'DOMAIN') {
        const pack = DOMAIN_PACKS.find((p) => p.name === input.domain);
        if (!pack) return { __typename: 'NotFoundError', message: `domain pack not found: ${input.domain}`, code: 'NOT_FOUND' };
        const scenario = pack.scenarios.find((sc) => sc.name === (input.scenario ?? pack.scenarios[0]?.name));
        if (!scenario) return { __typename: 'InvalidInputError', message: `unknown scenario ${input.scenario} of ${pack.name}`, code: 'INVALID_INPUT' };
        tables = scenario.entities.map((name) => table(name));
      } else if (input.mode === 'TEST_CASE') {
        tables = [table('user')];
      } else if (input.mode === 'URL') {
        const urls = input.testCaseUrls ?? [];
        const failed = urls.filter((url) => url.includes('unreachable'));
        const message = (url: string) => `could not load ${url}: net::ERR_NAME_NOT_RESOLVED`;
        if (failed.length === urls.length) {
          const url = urls[0] ?? '';
          return { __typename: 'CrawlError', message: message(url), code: 'CRAWL_FAILED', reason: 'UNREACHABLE', url };
        }
        skippedUrls = failed.map((url) => ({ url, reason: 'UNREACHABLE', message: message(url) }));
        tables = urls.filter((url) => !failed.includes(url)).map((url) => table(`${new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? 'index'}_form`));
      } else {
        const v = versions.find((x) => x.id === input.schemaVersionId);
        if (!v) return { __typename: 'NotFoundError', message: `schema version not found: ${input.schemaVersionId}`, code: 'NOT_FOUND' };
        schemaVersionId = v.id;
        tables = (v.tables as { schema: string; name: string }[]).map((t) => table(t.name, t.schema));
      }
      const id = `dsv_${String(datasets.size + 1).padStart(4, '0')}`;
      datasets.set(id, { id, tables });
      return {
        __typename: 'MutationGenerateSyntheticSuccess',
        data: {
          datasetVersionId: id,
          schemaVersionId,
          mode: input.mode,
          totalRows: tables.reduce((n, t) => n + t.rowCount, 0),
          durationMs: 1840,
          tables,
          skippedUrls,
        },
      };
    },
    dataset: ({ id }: { id: string }) => {
      const generated = datasets.get(id);
      if (!generated) return null;
      return {
        __typename: 'DatasetVersion',
        id,
        preview: ({ table, limit }: { table: string; limit?: number | null }) => previewOf(generated, table, limit ?? 50),
      };
    },
  };
}
