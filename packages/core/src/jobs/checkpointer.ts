/**
 * A LangGraph checkpointer over the metadata store's `WorkflowCheckpoint` and `WorkflowCheckpointWrite`
 * tables, so a workflow that stopped mid-run (an exception, a killed worker) resumes from its last
 * superstep in any process that opens the same database. Mirrors `MemorySaver` of
 * `@langchain/langgraph-checkpoint` call for call; only the storage differs.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  type PendingWrite,
  type SerializerProtocol,
  WRITES_IDX_MAP,
  writesSortKey,
} from '@langchain/langgraph-checkpoint';
import type { SqlClient } from '../db/sql-client.ts';
import { InvalidInputError, QueryError } from '../errors.ts';

/** Checkpoints whose blobs and writes are fetched together by `list`. */
const LIST_PAGE = 50;

interface CheckpointKey {
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
}

interface CheckpointHead extends CheckpointKey {
  parentId: string | null;
  type: string;
  metadata: unknown;
}

interface CheckpointRow extends CheckpointHead {
  checkpoint: unknown;
}

interface WriteRow extends CheckpointKey {
  taskId: string;
  idx: number;
  channel: string;
  type: string;
  value: unknown;
}

const SELECT_HEAD = `SELECT "threadId", "checkpointNs", "checkpointId", "parentId", "type", "metadata" FROM "WorkflowCheckpoint"`;
const SELECT_ROW = `SELECT "threadId", "checkpointNs", "checkpointId", "parentId", "type", "checkpoint", "metadata" FROM "WorkflowCheckpoint"`;
// uuid6 ids sort by time as strings; "C" compares them byte by byte, as MemorySaver's JS sort does.
const NEWEST_FIRST = `ORDER BY "checkpointId" COLLATE "C" DESC, "threadId", "checkpointNs"`;

/** bytea as read back: node-postgres gives a Buffer, PGlite a Uint8Array. Both become a plain Uint8Array. */
function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  // bytea in text form, should a parser override ever hand it out that way
  if (typeof value === 'string' && value.startsWith('\\x')) return new Uint8Array(Buffer.from(value.slice(2), 'hex'));
  throw new QueryError(`expected a bytea value from the checkpoint tables, got ${typeof value}`, undefined);
}

/** A serialised value as a query parameter: a Buffer is what both drivers send as bytea. */
function param(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function threadIdOf(config: RunnableConfig, what: string): string {
  const threadId: unknown = config.configurable?.thread_id;
  if (threadId === undefined) {
    throw new InvalidInputError(
      `Failed to ${what}: the RunnableConfig has no "thread_id" in "configurable". Pass one, e.g. graph.invoke(input, { configurable: { thread_id: "job-1" } }).`,
    );
  }
  if (typeof threadId !== 'string' || threadId === '')
    throw new InvalidInputError(`Failed to ${what}: "thread_id" must be a non-empty string`, { threadId: String(threadId) });
  return threadId;
}

function configFor(key: CheckpointKey): RunnableConfig {
  return { configurable: { thread_id: key.threadId, checkpoint_ns: key.checkpointNs, checkpoint_id: key.checkpointId } };
}

/**
 * LangGraph checkpointer over the metadata store. Checkpoints, metadata and pending writes are stored
 * as the serializer's bytes (`this.serde`, JSON by default) in bytea columns; `list` filters on
 * metadata in JavaScript with `===` per key, like `MemorySaver`. Uses only `query` and `transaction`
 * of its `SqlClient`, so it works on PostgreSQL and PGlite alike.
 */
export class SqlCheckpointSaver extends BaseCheckpointSaver {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient, serde?: SerializerProtocol) {
    super(serde);
    this.#sql = sql;
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId: unknown = config.configurable?.thread_id;
    if (threadId === undefined) return undefined;
    const checkpointNs = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const checkpointId = getCheckpointId(config);
    const { rows } = checkpointId
      ? await this.#sql.query<CheckpointRow>(`${SELECT_ROW} WHERE "threadId" = $1 AND "checkpointNs" = $2 AND "checkpointId" = $3`, [
          threadId,
          checkpointNs,
          checkpointId,
        ])
      : await this.#sql.query<CheckpointRow>(`${SELECT_ROW} WHERE "threadId" = $1 AND "checkpointNs" = $2 ${NEWEST_FIRST} LIMIT 1`, [threadId, checkpointNs]);
    const row = rows[0];
    if (!row) return undefined;
    const writes = await this.#writesOf([row]);
    // Asked for a given checkpoint, MemorySaver hands back the caller's config as is.
    return this.#tuple(row, await this.#metadata(row), writes.get(keyOf(row)) ?? [], checkpointId ? config : undefined);
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let { limit } = options;
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      params.push(value);
      where.push(condition.replace('?', `$${params.length}`));
    };
    if (config.configurable?.thread_id !== undefined) add(`"threadId" = ?`, config.configurable.thread_id);
    if (config.configurable?.checkpoint_ns !== undefined) add(`"checkpointNs" = ?`, config.configurable.checkpoint_ns);
    if (config.configurable?.checkpoint_id) add(`"checkpointId" = ?`, config.configurable.checkpoint_id);
    if (before?.configurable?.checkpoint_id) add(`"checkpointId" COLLATE "C" < ?`, before.configurable.checkpoint_id);
    const filtered = filter !== undefined && Object.keys(filter).length > 0;
    // Without a metadata filter the database can stop at the limit; with one, heads are filtered here.
    if (!filtered && limit !== undefined) params.push(Math.max(0, limit));
    const sql = `${SELECT_HEAD} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${NEWEST_FIRST}${!filtered && limit !== undefined ? ` LIMIT $${params.length}` : ''}`;
    const { rows: heads } = await this.#sql.query<CheckpointHead>(sql, params);

    let page: { head: CheckpointHead; metadata: CheckpointMetadata }[] = [];
    for (const head of heads) {
      const metadata = await this.#metadata(head);
      if (filtered && !Object.entries(filter).every(([key, value]) => (metadata as Record<string, unknown>)[key] === value)) continue;
      if (limit !== undefined) {
        if (limit <= 0) break;
        limit -= 1;
      }
      page.push({ head, metadata });
      if (page.length === LIST_PAGE) {
        yield* this.#loadPage(page);
        page = [];
      }
    }
    if (page.length) yield* this.#loadPage(page);
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, _newVersions: ChannelVersions): Promise<RunnableConfig> {
    const threadId = threadIdOf(config, 'put checkpoint');
    const checkpointNs = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const parentId = (config.configurable?.checkpoint_id as string | undefined) || null;
    const [[type, data], [metadataType, metadataData]] = await Promise.all([
      this.serde.dumpsTyped(copyCheckpoint(checkpoint)),
      this.serde.dumpsTyped(metadata),
    ]);
    // One `type` column serves both blobs.
    if (metadataType !== type)
      throw new InvalidInputError(`the serializer wrote the checkpoint as "${type}" but its metadata as "${metadataType}"; both must match`);
    await this.#sql.query(
      `INSERT INTO "WorkflowCheckpoint" ("threadId", "checkpointNs", "checkpointId", "parentId", "type", "checkpoint", "metadata")
       VALUES ($1, $2, $3, $4, $5, $6::bytea, $7::bytea)
       ON CONFLICT ("threadId", "checkpointNs", "checkpointId")
       DO UPDATE SET "parentId" = excluded."parentId", "type" = excluded."type", "checkpoint" = excluded."checkpoint", "metadata" = excluded."metadata"`,
      [threadId, checkpointNs, checkpoint.id, parentId, type, param(data), param(metadataData)],
    );
    return { configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id } };
  }

  /**
   * Regular writes are kept once per (task, index): a retried task cannot replace what the first
   * attempt recorded. Special writes (error, interrupt, resume, scheduled) use fixed negative indexes
   * from `WRITES_IDX_MAP` and the latest one wins. `taskPath` has no column yet and is not stored, so
   * pending writes come back ordered by (task id, index): the contract's order for writes without a path.
   */
  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, _taskPath?: string): Promise<void> {
    const threadId = threadIdOf(config, 'put writes');
    const checkpointNs = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (!checkpointId) throw new InvalidInputError('Failed to put writes: the RunnableConfig has no "checkpoint_id" in "configurable"');
    if (writes.length === 0) return;
    // One row per index: a statement may not upsert the same key twice (two errors of one task → the last).
    const byIdx = new Map<number, [string, string, Uint8Array]>();
    for (const [position, [channel, value]] of writes.entries()) {
      const idx = Object.hasOwn(WRITES_IDX_MAP, channel) ? (WRITES_IDX_MAP[channel] as number) : position;
      const [type, data] = await this.serde.dumpsTyped(value);
      byIdx.set(idx, [channel, type, data]);
    }
    const params: unknown[] = [threadId, checkpointNs, checkpointId, taskId];
    const values = [...byIdx].map(([idx, [channel, type, data]]) => {
      params.push(idx, channel, type, param(data));
      const n = params.length;
      return `($1, $2, $3, $4, $${n - 3}::int, $${n - 2}, $${n - 1}, $${n}::bytea)`;
    });
    await this.#sql.query(
      `INSERT INTO "WorkflowCheckpointWrite" ("threadId", "checkpointNs", "checkpointId", "taskId", "idx", "channel", "type", "value")
       VALUES ${values.join(', ')}
       ON CONFLICT ("threadId", "checkpointNs", "checkpointId", "taskId", "idx")
       DO UPDATE SET "channel" = excluded."channel", "type" = excluded."type", "value" = excluded."value"
       WHERE excluded."idx" < 0`,
      params,
    );
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.#sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM "WorkflowCheckpointWrite" WHERE "threadId" = $1`, [threadId]);
      await tx.query(`DELETE FROM "WorkflowCheckpoint" WHERE "threadId" = $1`, [threadId]);
    });
  }

  async *#loadPage(page: { head: CheckpointHead; metadata: CheckpointMetadata }[]): AsyncGenerator<CheckpointTuple> {
    const keys = page.map(({ head }) => head);
    const { rows } = await this.#sql.query<CheckpointRow>(
      `SELECT c."threadId", c."checkpointNs", c."checkpointId", c."parentId", c."type", c."checkpoint", c."metadata"
         FROM "WorkflowCheckpoint" c
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(t, n, i) ON c."threadId" = k.t AND c."checkpointNs" = k.n AND c."checkpointId" = k.i`,
      [keys.map((k) => k.threadId), keys.map((k) => k.checkpointNs), keys.map((k) => k.checkpointId)],
    );
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    const writes = await this.#writesOf(keys);
    for (const { head, metadata } of page) {
      // Deleted since the heads were read: skip it, as if it had never been listed.
      const row = byKey.get(keyOf(head));
      if (row) yield await this.#tuple(row, metadata, writes.get(keyOf(row)) ?? []);
    }
  }

  /** Pending writes of the given checkpoints, each list in `writesSortKey` order. */
  async #writesOf(keys: CheckpointKey[]): Promise<Map<string, CheckpointPendingWrite[]>> {
    const { rows } = await this.#sql.query<WriteRow>(
      `SELECT w."threadId", w."checkpointNs", w."checkpointId", w."taskId", w."idx", w."channel", w."type", w."value"
         FROM "WorkflowCheckpointWrite" w
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(t, n, i) ON w."threadId" = k.t AND w."checkpointNs" = k.n AND w."checkpointId" = k.i`,
      [keys.map((k) => k.threadId), keys.map((k) => k.checkpointNs), keys.map((k) => k.checkpointId)],
    );
    // Sorted here with LangGraph's own comparator (code points), not by the database's collation.
    const sorted = rows
      .map((row) => ({ row, key: writesSortKey('', row.taskId, Number(row.idx)) }))
      .sort((a, b) => compareWritesSortKeys(a.key, b.key))
      .map(({ row }) => row);
    const result = new Map<string, CheckpointPendingWrite[]>();
    for (const row of sorted) {
      const list = result.get(keyOf(row)) ?? [];
      list.push([row.taskId, row.channel, await this.serde.loadsTyped(row.type, bytes(row.value))]);
      result.set(keyOf(row), list);
    }
    return result;
  }

  async #metadata(head: CheckpointHead): Promise<CheckpointMetadata> {
    return (await this.serde.loadsTyped(head.type, bytes(head.metadata))) as CheckpointMetadata;
  }

  async #tuple(row: CheckpointRow, metadata: CheckpointMetadata, pendingWrites: CheckpointPendingWrite[], config?: RunnableConfig): Promise<CheckpointTuple> {
    const tuple: CheckpointTuple = {
      config: config ?? configFor(row),
      checkpoint: (await this.serde.loadsTyped(row.type, bytes(row.checkpoint))) as Checkpoint,
      metadata,
      pendingWrites,
    };
    if (row.parentId !== null) tuple.parentConfig = configFor({ ...row, checkpointId: row.parentId });
    return tuple;
  }
}

function keyOf(key: CheckpointKey): string {
  return JSON.stringify([key.threadId, key.checkpointNs, key.checkpointId]);
}
