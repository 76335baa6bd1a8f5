import { Annotation } from '@langchain/langgraph';
import type { SourceRef } from '../../store/connections.ts';
import { stepChannels } from '../shared/step-kit.ts';

/** One column's classification as the API shows it. */
export interface PiiColumn {
  schema: string;
  table: string;
  column: string;
  piiType: string;
  /** Taxonomy category of `piiType` (pii/taxonomy.ts). */
  category: string;
  confidence: number;
  technique: string;
  evidence: unknown;
  source: string;
  /** Whether values were sampled for it; null when unknown (a stored classification or an override). */
  valuesSampled: boolean | null;
}

/** A classification request: a schema version, and optionally where to sample its values from. */
export interface ClassifyPiiInput {
  schemaVersionId: string;
  sampleSize?: number | null;
  /** Sample from this source instead of the schema's stored connection (any schema version, inline ones too). */
  connectionString?: string | null;
  connectionId?: string | null;
  /** The run's own source (a workflow); wins over the two above. */
  source?: SourceRef | null;
}

export interface ClassifyPiiResult {
  columns: PiiColumn[];
  /** False when no connection was available: names and types only, no value was read. */
  valuesSampled: boolean;
}

/**
 * State of the pii step: the schema version's id, the source to sample (a reference, or null when
 * none is available) and the resulting columns — names, types and verdicts, never a sampled value.
 */
export const PiiState = Annotation.Root({
  ...stepChannels,
  schemaVersionId: Annotation<string>,
  sampleSize: Annotation<number>({ reducer: (_a, b) => b, default: () => 100 }),
  source: Annotation<SourceRef | null>({ reducer: (_a, b) => b, default: () => null }),
  columns: Annotation<PiiColumn[]>({ reducer: (_a, b) => b, default: () => [] }),
  valuesSampled: Annotation<boolean>({ reducer: (_a, b) => b, default: () => false }),
});

export type PiiStateType = typeof PiiState.State;
export type PiiUpdate = typeof PiiState.Update;
