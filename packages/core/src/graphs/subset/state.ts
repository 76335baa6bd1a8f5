import { Annotation } from '@langchain/langgraph';
import type { SourceRef } from '../../store/connections.ts';
import type { SubsetPlan } from '../../subset/planner.ts';
import { stepChannels } from '../shared/step-kit.ts';

export interface SubsetInput {
  schemaVersionId?: string | null;
  connectionId?: string | null;
  connectionString?: string | null;
  /** The run's own source (a workflow); wins over the two above. */
  source?: SourceRef | null;
  schemas?: string[] | null;
  rootTable?: string | null;
  /** `{"*": 5000, "orders": 50000}`; absent → a full copy. */
  maxRowsPerTable?: Record<string, number> | null;
  /** Per-table SQL filters: `{ "customer": "store_id = 1" }`. */
  where?: Record<string, string> | null;
  name?: string | null;
}

export interface SubsetOutcome {
  datasetVersionId: string;
  schemaVersionId: string;
  plan: SubsetPlan;
  planText: string;
  tables: { schema: string; name: string; rowCount: number }[];
  cut: { table: string; wanted: number; kept: number; reason: string }[];
  totalRows: number;
  durationMs: number;
}

/** State of the subset step: the request (ids and options), the resolved source reference and the outcome (ids, plan, counts). */
export const SubsetState = Annotation.Root({
  ...stepChannels,
  request: Annotation<Omit<SubsetInput, 'connectionString' | 'connectionId' | 'source'>>,
  source: Annotation<SourceRef | null>({ reducer: (_a, b) => b, default: () => null }),
  schemaVersionId: Annotation<string | undefined>,
  outcome: Annotation<SubsetOutcome | undefined>,
});

export type SubsetStateType = typeof SubsetState.State;
export type SubsetUpdate = typeof SubsetState.Update;
