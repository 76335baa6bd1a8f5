/**
 * `createTdm(config)`: the engine wired to its metadata store. The server and the CLI hold one of
 * these; tests create one per metadata database.
 */
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadConfig, type TdmConfig } from './config.ts';
import type { DiscoverInput, DiscoverResult } from './graphs/discover/state.ts';
import type { StepContext } from './graphs/shared/step-kit.ts';
import type { PglitePathPolicy } from './db/pglite-paths.ts';
import { ConnectionStore } from './store/connections.ts';
import { type MetadataStore, openMetadataStore } from './store/metadata.ts';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { openDatasetStore } from './dataset/open.ts';
import type { DatasetStore } from './dataset/types.ts';
import { EnvironmentStore } from './store/environments.ts';
import { InProcessQueue } from './jobs/in-process-queue.ts';
import type { JobQueue } from './jobs/queue.ts';
import { JobService } from './jobs/service.ts';
import { createSecretBox, loadSecretKey } from './store/secrets.ts';
import { limitHeapGrowth } from './gc.ts';

export type { DiscoverInput, DiscoverResult };

export interface AuditEntry {
  actor: string;
  action: string;
  targetKind?: string;
  targetId?: string;
  severity?: 'INFO' | 'WARNING' | 'CRITICAL';
  details?: object;
}

export interface Tdm {
  readonly config: TdmConfig;
  readonly store: MetadataStore;
  readonly connections: ConnectionStore;
  /** Discovers a source's schemas and stores them as a schema version (or returns the unchanged one). */
  discoverSchema(input: DiscoverInput, options?: StepContext): Promise<DiscoverResult>;
  /** The optional chat model (TDM_LLM_PROVIDER); null by default: every LLM path has a rule-based one. */
  readonly llm: BaseChatModel | null;
  /** Dataset versions' files (Parquet + manifest). */
  readonly datasets: DatasetStore;
  /** Registered target environments. */
  readonly environments: EnvironmentStore;
  /** Workflow jobs: execute, cancel, run (workers), logs. */
  readonly jobs: JobService;
  /** Records who did what (every mutation writes one). `details` must never hold a secret. */
  audit(entry: AuditEntry): Promise<void>;
  close(): Promise<void>;
}

export interface CreateTdmOptions {
  log?: (msg: string) => void;
  /** Override the job queue (default: pg-boss on a PostgreSQL metadata store, in-process on PGlite). */
  queue?: JobQueue;
}

/**
 * `pglite://` connections live under the data directory or `TDM_PGLITE_ROOTS`, never in the dataset
 * store (under the data directory by default). The metadata store is refused as a target by identity
 * (`TARGET_IS_METADATA`, see store/target-safety.ts), like a PostgreSQL one.
 */
function pglitePolicy(config: TdmConfig): PglitePathPolicy {
  const reserved = [config.datasetStoreUri].filter((uri) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri));
  return { roots: [config.dataDir, ...config.pgliteRoots], reserved };
}

/**
 * pg-boss on a PostgreSQL metadata store, else the in-process queue. pg-boss and what it imports load
 * only when it is used: a server on PGlite metadata never needs them.
 */
async function openQueue(config: TdmConfig, store: MetadataStore): Promise<JobQueue> {
  if (store.sql.kind !== 'postgres' || config.queue === 'in-process') return new InProcessQueue();
  const { PgBossQueue } = await import('./jobs/pgboss-queue.ts');
  return new PgBossQueue(config.databaseUrl, {
    heartbeatSeconds: config.queueHeartbeatSeconds,
    monitorIntervalSeconds: config.queueMonitorSeconds ?? undefined,
    pollSeconds: config.queuePollSeconds,
  });
}

export async function createTdm(config: TdmConfig = loadConfig(), options: CreateTdmOptions = {}): Promise<Tdm> {
  mkdirSync(config.dataDir, { recursive: true });
  // Rows stream through in bounded batches: keep the heap near what is live (see gc.ts).
  limitHeapGrowth(config.heapGrowingPercent ?? 50);
  const store = await openMetadataStore(config.databaseUrl, { log: options.log });
  const box = createSecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const connections = new ConnectionStore(store.prisma, box, { pglite: pglitePolicy(config) });

  for (const plugin of config.plugins) await import(pathToFileURL(plugin).href);
  const queue = options.queue ?? (await openQueue(config, store));
  // LangChain's model clients load only when a provider is configured (most installations run rule-based).
  const llm = process.env.TDM_LLM_PROVIDER ? (await import('./decision/llm.ts')).createChatModelFromEnv(process.env) : null;
  const datasets = openDatasetStore(config.datasetStoreUri);
  const environments = new EnvironmentStore(store.prisma, connections, store.sql);
  const tdm: Tdm = {
    config,
    llm,
    datasets,
    environments,
    store,
    connections,
    get jobs() {
      return jobs;
    },
    async discoverSchema(input, opts = {}) {
      const { runDiscover } = await import('./graphs/discover/graph.ts');
      return runDiscover(tdm, input, opts);
    },
    async audit(entry) {
      await store.prisma.auditLog.create({
        data: {
          actor: entry.actor,
          action: entry.action,
          targetKind: entry.targetKind ?? null,
          targetId: entry.targetId ?? null,
          severity: entry.severity ?? 'INFO',
          details: (entry.details ?? undefined) as object | undefined,
        },
      });
    },
    async close() {
      await jobs.stop();
      await store.close();
    },
  };
  const jobs = new JobService(tdm, queue);
  return tdm;
}
