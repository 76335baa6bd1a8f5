import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { type Checkpoint, type CheckpointMetadata, type CheckpointTuple, emptyCheckpoint, ERROR, INTERRUPT, uuid6 } from '@langchain/langgraph-checkpoint';
import type { RunnableConfig } from '@langchain/core/runnables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactConnectionString } from '../src/db/url.ts';
import { InvalidInputError } from '../src/errors.ts';
import { SqlCheckpointSaver } from '../src/jobs/checkpointer.ts';
import { type MetadataStore, openMetadataStore } from '../src/store/metadata.ts';
import { createPgliteUrl, createTestDatabase, PG_ADMIN_URL, pgAvailable, type TestDatabase } from './support/databases.ts';

const pgUp = await pgAvailable();
if (!pgUp) console.warn(`PostgreSQL at ${redactConnectionString(PG_ADMIN_URL)} is not reachable: PostgreSQL checkpointer tests are SKIPPED`);

const engines: { name: 'postgres' | 'pglite'; skip: boolean; create: () => Promise<TestDatabase> }[] = [
  { name: 'postgres', skip: !pgUp, create: () => createTestDatabase('checkpointer') },
  { name: 'pglite', skip: false, create: () => createPgliteUrl() },
];

function checkpointWith(step: number, values: Record<string, unknown>): Checkpoint {
  const checkpoint = emptyCheckpoint();
  checkpoint.id = uuid6(step);
  checkpoint.channel_values = values;
  checkpoint.channel_versions = Object.fromEntries(Object.keys(values).map((k) => [k, step + 2]));
  return checkpoint;
}

const meta = (source: CheckpointMetadata['source'], step: number, extra: Record<string, unknown> = {}): CheckpointMetadata => ({
  source,
  step,
  parents: {},
  ...extra,
});

async function all(iterable: AsyncIterable<CheckpointTuple>): Promise<CheckpointTuple[]> {
  const tuples: CheckpointTuple[] = [];
  for await (const tuple of iterable) tuples.push(tuple);
  return tuples;
}
const ids = (tuples: CheckpointTuple[]) => tuples.map((t) => t.checkpoint.id);

async function countRows(store: MetadataStore, threadId: string): Promise<{ checkpoints: number; writes: number }> {
  const { rows } = await store.sql.query<{ checkpoints: number; writes: number }>(
    `SELECT (SELECT count(*)::int FROM "WorkflowCheckpoint" WHERE "threadId" = $1) AS checkpoints,
            (SELECT count(*)::int FROM "WorkflowCheckpointWrite" WHERE "threadId" = $1) AS writes`,
    [threadId],
  );
  return rows[0]!;
}

// A three-step workflow whose middle step fails while `failures` is positive, counting the runs of each step.
const WorkflowState = Annotation.Root({
  value: Annotation<number>(),
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

function createWorkflow(saver: SqlCheckpointSaver, runs: Record<string, number>, failures: { left: number }) {
  const ran = (step: string) => {
    runs[step] = (runs[step] ?? 0) + 1;
  };
  return new StateGraph(WorkflowState)
    .addNode('extract', async (state) => {
      ran('extract');
      return { value: state.value + 1, log: ['extract'] };
    })
    .addNode('transform', async (state) => {
      ran('transform');
      if (failures.left-- > 0) throw new Error('worker crashed in transform');
      return { value: state.value * 10, log: ['transform'] };
    })
    .addNode('load', async (state) => {
      ran('load');
      return { value: state.value + 5, log: ['load'] };
    })
    .addEdge(START, 'extract')
    .addEdge('extract', 'transform')
    .addEdge('transform', 'load')
    .addEdge('load', END)
    .compile({ checkpointer: saver });
}

for (const engine of engines) {
  describe.skipIf(engine.skip)(`SqlCheckpointSaver on ${engine.name}${engine.skip ? ' (SKIPPED: PostgreSQL not reachable)' : ''}`, () => {
    let db: TestDatabase;
    let store: MetadataStore;
    let saver: SqlCheckpointSaver;
    let sequence = 0;
    const thread = (what: string) => `${what}-${++sequence}`;

    beforeAll(async () => {
      db = await engine.create();
      store = await openMetadataStore(db.url);
      saver = new SqlCheckpointSaver(store.sql);
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    describe('the BaseCheckpointSaver contract', () => {
      const threadId = 'contract';
      const root: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
      let first: Checkpoint;
      let second: Checkpoint;
      let third: Checkpoint;
      let firstConfig: RunnableConfig;
      let secondConfig: RunnableConfig;

      beforeAll(async () => {
        first = checkpointWith(-1, { __start__: { value: 1 } });
        second = checkpointWith(0, { value: 1, text: 'ünïcödé ✓ "quoted"', nested: { list: [1, null, 'x'] } });
        third = checkpointWith(1, { value: 2 });
        firstConfig = await saver.put(root, first, meta('input', -1), {});
        secondConfig = await saver.put(firstConfig, second, meta('loop', 0, { writer: 'a' }), {});
        await saver.put(secondConfig, third, meta('loop', 1, { writer: 'b' }), {});
        // Other threads and namespaces that must not leak into this thread's answers.
        await saver.put({ configurable: { thread_id: 'contract-other', checkpoint_ns: '' } }, checkpointWith(5, { value: 'other' }), meta('loop', 5), {});
        await saver.put({ configurable: { thread_id: threadId, checkpoint_ns: 'child:1' } }, checkpointWith(7, { value: 'child' }), meta('loop', 7), {});
      });

      it('put returns the config that addresses the stored checkpoint', () => {
        expect(firstConfig).toEqual({ configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: first.id } });
        expect(secondConfig.configurable?.checkpoint_id).toBe(second.id);
      });

      it('getTuple without a checkpoint_id returns the newest checkpoint of the thread and namespace, with its parent', async () => {
        const tuple = await saver.getTuple({ configurable: { thread_id: threadId } });
        expect(tuple?.checkpoint).toEqual(third);
        expect(tuple?.config).toEqual({ configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: third.id } });
        expect(tuple?.parentConfig).toEqual({ configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: second.id } });
        expect(tuple?.metadata).toEqual(meta('loop', 1, { writer: 'b' }));
        expect(tuple?.pendingWrites).toEqual([]);

        const child = await saver.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: 'child:1' } });
        expect(child?.checkpoint.channel_values).toEqual({ value: 'child' });
        expect(child?.parentConfig).toBeUndefined();
      });

      it('getTuple with a checkpoint_id returns that checkpoint, under the config it was asked with', async () => {
        const config = { configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: second.id } };
        const tuple = await saver.getTuple(config);
        expect(tuple?.checkpoint).toEqual(second);
        expect(tuple?.config).toBe(config);
        expect(tuple?.parentConfig?.configurable?.checkpoint_id).toBe(first.id);

        const root = await saver.getTuple(firstConfig);
        expect(root?.checkpoint).toEqual(first);
        expect(root?.parentConfig).toBeUndefined();
      });

      it('getTuple answers undefined for an unknown thread, checkpoint or namespace', async () => {
        expect(await saver.getTuple({ configurable: { thread_id: 'nobody' } })).toBeUndefined();
        expect(await saver.getTuple({ configurable: { thread_id: threadId, checkpoint_id: uuid6(3) } })).toBeUndefined();
        expect(await saver.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: 'nope' } })).toBeUndefined();
        expect(await saver.getTuple({ configurable: {} })).toBeUndefined();
      });

      it('put on an existing checkpoint id replaces it', async () => {
        const config = { configurable: { thread_id: 'contract-upsert', checkpoint_ns: '' } };
        const checkpoint = checkpointWith(0, { value: 'before' });
        await saver.put(config, checkpoint, meta('loop', 0), {});
        await saver.put(config, { ...checkpoint, channel_values: { value: 'after' } }, meta('update', 0), {});
        const tuple = await saver.getTuple(config);
        expect(tuple?.checkpoint.channel_values).toEqual({ value: 'after' });
        expect(tuple?.metadata?.source).toBe('update');
        expect(await countRows(store, 'contract-upsert')).toEqual({ checkpoints: 1, writes: 0 });
      });

      it('putWrites: pending writes come back in (task, index) order, special writes first within a task', async () => {
        await saver.putWrites(
          secondConfig,
          [
            ['value', 1],
            ['log', ['x']],
          ],
          'task-b',
        );
        await saver.putWrites(secondConfig, [['value', 2]], 'task-a');
        await saver.putWrites(secondConfig, [[ERROR, { message: 'first failure' }]], 'task-b');
        const tuple = await saver.getTuple(secondConfig);
        expect(tuple?.pendingWrites).toEqual([
          ['task-a', 'value', 2],
          ['task-b', ERROR, { message: 'first failure' }],
          ['task-b', 'value', 1],
          ['task-b', 'log', ['x']],
        ]);
        // Writes belong to their checkpoint only.
        expect((await saver.getTuple({ configurable: { thread_id: threadId } }))?.pendingWrites).toEqual([]);
      });

      it('putWrites keeps the first regular write of a (task, index) and the last special write', async () => {
        await saver.putWrites(secondConfig, [['value', 99]], 'task-b');
        await saver.putWrites(secondConfig, [[ERROR, { message: 'second failure' }]], 'task-b');
        await saver.putWrites(
          secondConfig,
          [
            [INTERRUPT, [{ value: 'ask' }]],
            [INTERRUPT, [{ value: 'ask again' }]],
          ],
          'task-c',
        );
        const writes = (await saver.getTuple(secondConfig))?.pendingWrites ?? [];
        expect(writes.filter(([task]) => task === 'task-b')).toEqual([
          ['task-b', ERROR, { message: 'second failure' }],
          ['task-b', 'value', 1],
          ['task-b', 'log', ['x']],
        ]);
        expect(writes.filter(([task]) => task === 'task-c')).toEqual([['task-c', INTERRUPT, [{ value: 'ask again' }]]]);
      });

      it('round-trips bytes as a plain Uint8Array on every engine', async () => {
        const config = await saver.put({ configurable: { thread_id: 'contract-bytes' } }, checkpointWith(0, {}), meta('loop', 0), {});
        await saver.putWrites(config, [['blob', new Uint8Array([0, 1, 127, 128, 255])]], 'task');
        const [write] = (await saver.getTuple(config))?.pendingWrites ?? [];
        expect(write?.[2]).toEqual(new Uint8Array([0, 1, 127, 128, 255]));
        expect(write?.[2]).toBeInstanceOf(Uint8Array);
        expect(Object.getPrototypeOf(write?.[2])).toBe(Uint8Array.prototype);
      });

      it('list: newest first, with before, limit, metadata filter, namespace and thread scoping', async () => {
        expect(ids(await all(saver.list({ configurable: { thread_id: threadId, checkpoint_ns: '' } })))).toEqual([third.id, second.id, first.id]);
        // Without a namespace, every namespace of the thread.
        expect(await all(saver.list({ configurable: { thread_id: threadId } }))).toHaveLength(4);
        expect(ids(await all(saver.list(root, { limit: 2 })))).toEqual([third.id, second.id]);
        expect(ids(await all(saver.list(root, { before: secondConfig })))).toEqual([first.id]);
        expect(ids(await all(saver.list(root, { filter: { source: 'loop' } })))).toEqual([third.id, second.id]);
        expect(ids(await all(saver.list(root, { filter: { source: 'loop' }, limit: 1 })))).toEqual([third.id]);
        expect(ids(await all(saver.list(root, { filter: { writer: 'a', step: 0 } })))).toEqual([second.id]);
        expect(await all(saver.list(root, { filter: { writer: 'nobody' } }))).toEqual([]);
        expect(await all(saver.list(root, { limit: 0 }))).toEqual([]);
        expect(ids(await all(saver.list({ configurable: { thread_id: threadId, checkpoint_id: second.id } })))).toEqual([second.id]);

        const listed = await all(saver.list(root));
        expect(listed[1]).toEqual(await saver.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: second.id } }));
        expect(listed[1]?.pendingWrites).toHaveLength(5);
        // No thread: every thread.
        expect(ids(await all(saver.list({})))).toEqual(expect.arrayContaining([first.id, second.id, third.id]));
      });

      it('lists many checkpoints across pages in order', async () => {
        const threadId = 'contract-many';
        let config: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
        const stored: string[] = [];
        for (let step = 0; step < 120; step++) {
          const checkpoint = checkpointWith(step, { step });
          config = await saver.put(config, checkpoint, meta('loop', step), {});
          await saver.putWrites(config, [['step', step]], `task-${step}`);
          stored.push(checkpoint.id);
        }
        const listed = await all(saver.list({ configurable: { thread_id: threadId } }));
        expect(ids(listed)).toEqual(stored.toReversed());
        expect(listed.map((t) => t.pendingWrites)).toEqual(stored.map((_, i) => [[`task-${119 - i}`, 'step', 119 - i]]));
      });

      it('rejects writes that cannot be addressed', async () => {
        await expect(saver.put({ configurable: {} }, checkpointWith(0, {}), meta('loop', 0), {})).rejects.toThrow(InvalidInputError);
        await expect(saver.putWrites({ configurable: { thread_id: threadId } }, [['value', 1]], 'task')).rejects.toThrow(/checkpoint_id/);
      });
    });

    it('resumes a workflow that crashed in its second step from another process, without re-running the first', async () => {
      const threadId = thread('crash');
      const config = { configurable: { thread_id: threadId } };
      const runs: Record<string, number> = {};
      const failures = { left: 1 };

      // "Process" 1: its own store and saver; the middle step throws, and the process goes away.
      const first = await openMetadataStore(db.url);
      try {
        const graph = createWorkflow(new SqlCheckpointSaver(first.sql), runs, failures);
        await expect(graph.invoke({ value: 1 }, config)).rejects.toThrow('worker crashed in transform');
      } finally {
        await first.close();
      }
      expect(runs).toEqual({ extract: 1, transform: 1 });

      // "Process" 2: a new store, saver and graph over the same database.
      const second = await openMetadataStore(db.url);
      try {
        const saver2 = new SqlCheckpointSaver(second.sql);
        const graph = createWorkflow(saver2, runs, failures);
        const stopped = await graph.getState(config);
        expect(stopped.next).toEqual(['transform']);
        expect(stopped.values).toEqual({ value: 2, log: ['extract'] });
        expect(stopped.tasks[0]?.error).toMatchObject({ message: 'worker crashed in transform' });

        // `null` input means "carry on from the last checkpoint"; the original input would start over.
        const result = await graph.invoke(null, config);
        expect(result).toEqual({ value: 25, log: ['extract', 'transform', 'load'] });
        expect(runs).toEqual({ extract: 1, transform: 2, load: 1 });

        const done = await graph.getState(config);
        expect(done.next).toEqual([]);
        const history = await all(saver2.list(config));
        expect(history.map((t) => t.metadata?.step)).toEqual([3, 2, 1, 0, -1]);
      } finally {
        await second.close();
      }
    });

    it('deleteThread removes every checkpoint and write of the thread and nothing else', async () => {
      const [doomed, kept] = [thread('doomed'), thread('kept')];
      for (const threadId of [doomed, kept]) {
        await createWorkflow(saver, {}, { left: 0 }).invoke({ value: 1 }, { configurable: { thread_id: threadId } });
      }
      const before = await countRows(store, doomed);
      expect(before.checkpoints).toBeGreaterThan(0);
      expect(before.writes).toBeGreaterThan(0);
      const keptBefore = await countRows(store, kept);

      await saver.deleteThread(doomed);

      expect(await countRows(store, doomed)).toEqual({ checkpoints: 0, writes: 0 });
      expect(await saver.getTuple({ configurable: { thread_id: doomed } })).toBeUndefined();
      expect(await all(saver.list({ configurable: { thread_id: doomed } }))).toEqual([]);
      expect(await countRows(store, kept)).toEqual(keptBefore);
      expect((await createWorkflow(saver, {}, { left: 0 }).getState({ configurable: { thread_id: kept } })).values).toEqual({
        value: 25,
        log: ['extract', 'transform', 'load'],
      });
    });
  });
}
