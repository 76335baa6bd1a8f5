/**
 * A test that gets its data from TDM: before the tests run, it asks a TDM server to discover the
 * "demo" source database, follows the job's log until it ends, then checks the tables a signup
 * touches. Point it at your server with TDM_URL (and TDM_TOKEN when the server requires tokens).
 */
import { type SchemaVersion, TdmClient } from '@tdm/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const url = process.env.TDM_URL ?? 'http://127.0.0.1:8003/graphql';
const tdm = new TdmClient({ url, token: process.env.TDM_TOKEN });

// Without a server there is nothing to test against: skip, and say why.
const serverUp = await tdm.workflows.templates().then(
  () => true,
  () => false,
);
if (!serverUp) console.warn(`Skipping: no TDM server answers at ${url} (start one with \`npm run server\`, or set TDM_URL).`);

describe.skipIf(!serverUp)('user signup data from TDM', () => {
  let schema: SchemaVersion;

  beforeAll(async () => {
    const demo = (await tdm.connections.list()).find((c) => c.name === 'demo');
    if (!demo) throw new Error(`the TDM server at ${url} has no connection named "demo" (a server creates it on first start unless TDM_DEMO=off)`);

    const { jobId } = await tdm.workflows.execute({ connectionId: demo.id, operations: ['discover'] });
    const log: string[] = [];
    for await (const event of tdm.jobs.logs(jobId)) log.push(`${event.step} ${event.level}: ${event.message}`);

    const job = await tdm.jobs.get(jobId);
    if (job.status !== 'COMPLETED') throw new Error(`the workflow ended ${job.status}: ${JSON.stringify(job.error)}\n${log.join('\n')}`);
    const { schemaVersionId } = (job.result as { artifacts: { schemaVersionId: string } }).artifacts;
    schema = await tdm.schemas.get(schemaVersionId);
  });

  afterAll(() => tdm.close());

  const table = (name: string) => schema.tables.find((t) => t.schema === 'public' && t.name === name);

  it('has the tables a signup writes to', () => {
    expect(schema.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['customer', 'address']));
    expect(table('customer')?.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['customer_id', 'email', 'first_name', 'last_name']));
    expect(table('customer')?.columns.find((c) => c.name === 'email')?.nullable).toBe(false);
  });

  it('links addresses and orders to their customer', () => {
    for (const name of ['address', 'order']) {
      expect(table(name)?.foreignKeys, name).toContainEqual(
        expect.objectContaining({ columns: ['customer_id'], referencedTable: 'customer', referencedColumns: ['customer_id'] }),
      );
    }
  });
});
