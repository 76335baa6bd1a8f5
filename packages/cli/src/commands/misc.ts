import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LineageKind } from '@tdm/sdk';
import { clientFor, globals, list, parse, positional } from '../args.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { Output } from '../output.ts';
import { resolveConnection } from './resolve.ts';

export const DISCOVER_HELP = `tdm discover — read a source database's catalog into a schema version

  tdm discover --connection-string <url> | --connection <name|id> [--schemas a,b]

Example:
  tdm discover --connection-string postgresql://app@db:5432/shop --schemas public,sales`;

export async function discover(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'connection-string': { type: 'string' }, connection: { type: 'string' }, schemas: { type: 'string' } });
  if (values.help) return help(DISCOVER_HELP);
  if (!values['connection-string'] && !values.connection) throw usageError('tdm discover needs --connection-string or --connection');
  const g = globals(values);
  const out = new Output(g.json);
  const client = clientFor(g);
  const connectionId = values.connection ? await resolveConnection(client, values.connection) : undefined;
  const v = await client.schemas.discover({ connectionString: values['connection-string'], connectionId, schemas: list(values.schemas) });
  if (g.json) out.result(v);
  else {
    out.line(`schema version ${v.id}: ${v.tables.length} tables`);
    out.table(
      v.tables.map((t) => ({ table: `${t.schema}.${t.name}`, rows: t.rowCount, primaryKey: t.primaryKey, foreignKeys: t.foreignKeys.length })),
      ['table', 'rows', 'primaryKey', 'foreignKeys'],
    );
  }
  return EXIT.OK;
}

export const PII_HELP = `tdm pii — classify the columns of a schema version as PII (names, values, rules)

  tdm pii <schemaVersionId> [--sample-size 100]

Example:
  tdm pii "$SCHEMA_VERSION_ID" --json | jq '.columns[] | select(.piiType != null)'`;

export async function pii(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { 'sample-size': { type: 'string' } });
  if (values.help) return help(PII_HELP);
  const g = globals(values);
  const out = new Output(g.json);
  const id = positional(positionals, 0, 'schemaVersionId');
  const columns = await clientFor(g).pii.classify({ schemaVersionId: id, sampleSize: values['sample-size'] ? Number(values['sample-size']) : undefined });
  if (g.json) out.result({ schemaVersionId: id, columns });
  else out.table(columns, ['schema', 'table', 'column', 'piiType', 'confidence', 'technique']);
  return EXIT.OK;
}

export const TESTCASE_HELP = `tdm testcase analyze — the entities and fields a test case fills in

  tdm testcase analyze <file>       Gherkin (.feature), Playwright/Cypress (.ts/.js), Selenium (.java/.py)

Example:
  tdm testcase analyze features/signup.feature`;

export async function testcase(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (values.help || positionals[0] !== 'analyze') {
    if (!values.help) throw usageError('usage: tdm testcase analyze <file>');
    return help(TESTCASE_HELP);
  }
  const g = globals(values);
  const out = new Output(g.json);
  const file = positional(positionals, 1, 'file');
  const analysis = await clientFor(g).testCases.analyze({ content: await readFile(file, 'utf8'), fileName: basename(file) });
  if (g.json) out.result(analysis);
  else {
    out.line(`${file}: ${analysis.format}, ${analysis.entities.length} entities`);
    for (const e of analysis.entities) {
      out.line(`  ${e.name}`);
      for (const f of e.fields) out.line(`    ${f.name}: ${f.type}${f.constraints.length ? ` (${f.constraints.join(', ')})` : ''}`);
    }
  }
  return EXIT.OK;
}

export const ENV_HELP = `tdm env — target environments (the databases TDM provisions into)

  tdm env list
  tdm env add <name> --connection-string <url> [--password-env TDM_DB_PASSWORD_…] [--description text] [--allow-reset]

Example:
  tdm env add ci --connection-string postgresql://tdm@127.0.0.1:5432/app_test --password-env TDM_DB_PASSWORD_CI --allow-reset`;

export async function env(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    'connection-string': { type: 'string' },
    'password-env': { type: 'string' },
    description: { type: 'string' },
    'allow-reset': { type: 'boolean' },
  });
  const [sub] = positionals;
  if (values.help || !sub) {
    console.log(ENV_HELP);
    return values.help ? EXIT.OK : EXIT.USAGE;
  }
  const g = globals(values);
  const out = new Output(g.json);
  const client = clientFor(g);
  if (sub === 'list') {
    const all = await client.environments.list();
    if (g.json) out.result({ environments: all });
    else
      out.table(
        all.map((e) => ({ ...e, url: e.connection.url })),
        ['name', 'isDefault', 'url', 'description'],
      );
  } else if (sub === 'add') {
    const name = positional(positionals, 1, 'name');
    if (!values['connection-string']) throw usageError('tdm env add needs --connection-string <url>');
    const e = await client.environments.create({
      name,
      connectionString: values['connection-string'],
      passwordEnv: values['password-env'],
      description: values.description,
      allowReset: values['allow-reset'],
    });
    if (g.json) out.result(e);
    else out.line(`environment ${e.name} (${e.id}) → ${e.connection.url}`);
  } else {
    throw usageError(`unknown env command ${JSON.stringify(sub)} (list, add)`);
  }
  return EXIT.OK;
}

export const LINEAGE_HELP = `tdm lineage — what an artifact came from and what was made from it

  tdm lineage <kind> <id> [--depth 6]    kind: TEST_CASE, JOB, SCHEMA_VERSION, DATASET_VERSION, TABLE, ENVIRONMENT, UNIFIED_SCHEMA
  tdm lineage job <id>                   everything linked to a job

Example:
  tdm lineage job "$JOB_ID" --json`;

export async function lineage(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { depth: { type: 'string' } });
  if (values.help) return help(LINEAGE_HELP);
  const g = globals(values);
  const out = new Output(g.json);
  const kind = positional(positionals, 0, 'kind').toUpperCase().replace(/-/g, '_');
  const id = positional(positionals, 1, 'id');
  const client = clientFor(g);
  const graph =
    kind === 'JOB' ? await client.lineage.forJob(id) : await client.lineage.around(kind as LineageKind, id, values.depth ? Number(values.depth) : 6);
  if (g.json) out.result(graph);
  else {
    const label = new Map(graph.nodes.map((n) => [n.id, `${n.kind} ${n.label}`]));
    out.line(`${graph.nodes.length} nodes, ${graph.edges.length} edges`);
    for (const e of graph.edges) out.line(`  ${label.get(e.from) ?? e.from}  —${e.operation}→  ${label.get(e.to) ?? e.to}`);
  }
  return EXIT.OK;
}

function help(text: string): number {
  console.log(text);
  return EXIT.OK;
}
