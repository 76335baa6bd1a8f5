import { Annotation } from '@langchain/langgraph';
import type { SourceRef } from '../../store/connections.ts';
import { stepChannels } from '../shared/step-kit.ts';

/** A discovery request: a connection string or a stored connection (or the run's own `source`). */
export interface DiscoverInput {
  connectionString?: string | null;
  connectionId?: string | null;
  /** The run's already resolved source; wins over the two above. */
  source?: SourceRef | null;
  schemas?: string[] | null;
}

export interface DiscoverResult {
  schemaVersionId: string;
  schemaId: string;
  version: number;
  summary: DiscoverSummary;
  /** Retries the discovery needed. */
  fallbacks: string[];
}

/** Small summary of a discovery: what a log line or a job result shows. */
export interface DiscoverSummary {
  database: string;
  serverVersion: string;
  tables: number;
  partitions: number;
  columns: number;
  foreignKeys: number;
  enums: number;
  rows: number;
  durationMs: number;
  /** True when the catalog was unchanged and an existing version was returned. */
  reused: boolean;
}

/**
 * State of the discover step. It holds references and ids only: the source as a `SourceRef`
 * (never a connection string) and the resulting schema version's id; the catalog itself goes
 * straight to the store.
 */
export const DiscoverState = Annotation.Root({
  ...stepChannels,
  source: Annotation<SourceRef>,
  schemas: Annotation<string[]>({ reducer: (_a, b) => b, default: () => ['public'] }),
  /** Password-free url of the source, resolved by the first node. */
  sourceUrl: Annotation<string | undefined>,
  schemaVersionId: Annotation<string | undefined>,
  schemaId: Annotation<string | undefined>,
  version: Annotation<number | undefined>,
  summary: Annotation<DiscoverSummary | undefined>,
});

export type DiscoverStateType = typeof DiscoverState.State;
export type DiscoverUpdate = typeof DiscoverState.Update;
