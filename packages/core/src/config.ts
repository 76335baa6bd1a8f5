/**
 * Runtime configuration from the environment. Everything has an embedded default, so TDM starts with
 * no configuration at all: metadata, demo source and default target are PGlite databases under
 * `TDM_DATA_DIR` (`.tdm`).
 */
import { delimiter, resolve } from 'node:path';

export interface TdmConfig {
  dataDir: string;
  /** Metadata store: `DATABASE_URL`, default `pglite://<dataDir>/metadata`. */
  databaseUrl: string;
  /** Default target environment: `TARGET_DATABASE_URL`, default `pglite://<dataDir>/target`. */
  targetDatabaseUrl: string;
  /** The demo source database TDM creates on first start. */
  demoSourceUrl: string | null;
  apiPort: number;
  /** Key for encrypting stored connection passwords: `TDM_SECRET_KEY`, else a key file in dataDir. */
  secretKey: string | null;
  /** `TDM_QUEUE=in-process` keeps jobs in the server process even on PostgreSQL. */
  queue: 'pg-boss' | 'in-process' | null;
  /** Concurrent jobs per worker process (`TDM_WORKER_CONCURRENCY`, default 2). */
  workerConcurrency: number;
  /** `TDM_SERVER_WORKER=off`: the API server only queues jobs; separate `npm run worker` processes run them. */
  serverWorker: boolean;
  /** pg-boss: seconds without a worker heartbeat before its job goes to another worker (`TDM_QUEUE_HEARTBEAT_SECONDS`, ≥ 10). */
  queueHeartbeatSeconds: number;
  /** pg-boss: how often missed heartbeats are looked for (`TDM_QUEUE_MONITOR_SECONDS`). */
  queueMonitorSeconds: number | null;
  /**
   * pg-boss: how often an idle worker looks for jobs that came without a notification, such as the job
   * of a worker that died, queued again once its heartbeat is missed (`TDM_QUEUE_POLL_SECONDS`, default 5,
   * at least 0.5). New jobs wake the workers at once whatever this is.
   */
  queuePollSeconds: number;
  /** Where dataset versions are stored: a directory or `s3://bucket/prefix` (`TDM_DATASET_STORE`). */
  datasetStoreUri: string;
  /** Modules that register extra steps (`TDM_PLUGINS`, comma-separated paths), imported on start. */
  plugins: string[];
  /**
   * Directories besides `dataDir` whose subdirectories `pglite://` connections may name
   * (`TDM_PGLITE_ROOTS`, separated like PATH).
   */
  pgliteRoots: string[];
  /** Memory a quality report's key checks use before they spill keys to `<dataDir>/tmp` (`TDM_QUALITY_KEY_MEMORY_MB`, default 64). */
  qualityKeyMemoryMb: number;
  /**
   * How far V8 lets the JavaScript heap grow past what the last full collection found live, in percent
   * (`TDM_HEAP_GROWING_PERCENT`, default 50; 0 leaves V8's own factor, up to 300 %). Rows stream
   * through the engine in bounded batches, so what is live stays small; with V8's factor, garbage of
   * row groups already written would pile up to four times that before a collection.
   */
  heapGrowingPercent: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TdmConfig {
  const dataDir = resolve(env.TDM_DATA_DIR || '.tdm');
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || `pglite://${dataDir}/metadata`,
    targetDatabaseUrl: env.TARGET_DATABASE_URL || `pglite://${dataDir}/target`,
    demoSourceUrl: env.TDM_DEMO === 'off' ? null : `pglite://${dataDir}/demo-source`,
    apiPort: Number(env.API_PORT || 8003),
    secretKey: env.TDM_SECRET_KEY || null,
    queue: env.TDM_QUEUE === 'in-process' || env.TDM_QUEUE === 'pg-boss' ? env.TDM_QUEUE : null,
    workerConcurrency: Math.max(1, Number(env.TDM_WORKER_CONCURRENCY || 2)),
    serverWorker: env.TDM_SERVER_WORKER !== 'off',
    queueHeartbeatSeconds: Math.max(10, Number(env.TDM_QUEUE_HEARTBEAT_SECONDS || 30)),
    queueMonitorSeconds: env.TDM_QUEUE_MONITOR_SECONDS ? Math.max(1, Number(env.TDM_QUEUE_MONITOR_SECONDS)) : null,
    queuePollSeconds: Math.max(0.5, Number(env.TDM_QUEUE_POLL_SECONDS) || 5),
    datasetStoreUri: env.TDM_DATASET_STORE || `${dataDir}/datasets`,
    plugins: (env.TDM_PLUGINS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => resolve(p)),
    pgliteRoots: (env.TDM_PGLITE_ROOTS ?? '')
      .split(delimiter)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => resolve(p)),
    qualityKeyMemoryMb: Math.max(1, Number(env.TDM_QUALITY_KEY_MEMORY_MB) || 64),
    heapGrowingPercent: heapGrowingPercent(env.TDM_HEAP_GROWING_PERCENT),
  };
}

function heapGrowingPercent(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 50;
  const n = Math.round(Number(value));
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 1000) : 50;
}
