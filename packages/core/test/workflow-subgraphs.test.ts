/**
 * The workflow composes the step graphs as LangGraph subgraphs: each step node runs its step's
 * graph within the run (the run's config reaches it), so the step graph checkpoints in the job's
 * thread under its own namespace (`<step>:<task>`), beside the workflow's own checkpoints, and its
 * final state is the artifact the workflow recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoSource } from '../src/demo/demo-source.ts';
import { SqlCheckpointSaver } from '../src/jobs/checkpointer.ts';
import { jobLogStream } from '../src/jobs/log-stream.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

describe('workflow of step subgraphs', () => {
  let engine: TestEngine;
  let url: string;
  beforeAll(async () => {
    engine = await createTestEngine('wf-subgraphs', { work: true });
    const db = await engine.database('pglite', 'src');
    url = db.url;
    await seedDemoSource(await engine.client(url), { customers: 8, products: 4, orders: 12 });
  });
  afterAll(() => engine?.close());

  it('runs every step graph as a subgraph of the job, checkpointed under the step’s namespace', async () => {
    const { jobId } = await engine.tdm.jobs.execute({ connectionString: url, operations: ['discover', 'subset'] });
    for await (const _ of jobLogStream(engine.tdm.jobs, jobId, AbortSignal.timeout(170_000))) {
      // drain the job's log until it ends
    }
    const job = await engine.tdm.jobs.get(jobId);
    expect(job.status).toBe('COMPLETED');

    const { rows } = await engine.tdm.store.sql.query<{ ns: string }>(
      `SELECT DISTINCT "checkpointNs" AS ns FROM "WorkflowCheckpoint" WHERE "threadId" = $1 ORDER BY 1`,
      [jobId],
    );
    const namespaces = rows.map((r) => r.ns);
    // The workflow's own checkpoints, then one namespace per step graph (the automatic quality step included).
    expect(namespaces[0]).toBe('');
    expect(namespaces.slice(1).map((ns) => ns.split(':')[0])).toEqual(['discover', 'quality', 'subset']);

    // The subset subgraph's last checkpoint holds the dataset version the workflow recorded as its artifact.
    const saver = new SqlCheckpointSaver(engine.tdm.store.sql);
    const subsetNs = namespaces.find((ns) => ns.startsWith('subset:'));
    const last = await saver.getTuple({ configurable: { thread_id: jobId, checkpoint_ns: subsetNs } });
    const values = last?.checkpoint.channel_values as { outcome?: { datasetVersionId: string }; jobId?: string };
    const artifacts = (job.result as { artifacts: { datasetVersionId: string } }).artifacts;
    expect(values.jobId).toBe(jobId);
    expect(values.outcome?.datasetVersionId).toBe(artifacts.datasetVersionId);
  });
});
