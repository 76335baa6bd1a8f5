/**
 * The vocabulary of a workflow run: operations, artifacts passed between steps by id, and the
 * JobContext stored on every job.
 */
import { OPERATIONS, type Operation } from '../decision/types.ts';
import type { JobStatus } from '../generated/prisma/enums.ts';

export { OPERATIONS, type Operation };

/** Ids of what the steps made so far; each step reads the previous ones and adds its own. */
export interface Artifacts {
  schemaVersionId?: string;
  /** The newest dataset version (subset, masked or synthetic). */
  datasetVersionId?: string;
  /** Every dataset version the run made, oldest first. */
  datasetVersionIds?: string[];
  environmentId?: string;
  provisionedTables?: string[];
}

/** The seed's JobContext, stored on the job row and returned by `job(id)`. */
export interface JobContext {
  testCaseId: string | null;
  schemas: string[];
  /** The UnifiedSchemaVersion the fusion step made; synthetic generates from it. */
  unifiedSchema: string | null;
  /** Sources fusion read: crawled page URLs, OpenAPI documents (title@version), schema version ids. */
  uiSchemas?: string[];
  apiSchemas?: string[];
  dbSchemas?: string[];
  domainPack: string | null;
  scenario: string | null;
  operations: Operation[];
  fallbacksUsed: string[];
  qualityScore: number | null;
}

export type { JobStatus };

export const TERMINAL_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const satisfies readonly JobStatus[];
