import { Annotation } from '@langchain/langgraph';
import type { ProvisionResult } from '../../provision/provision.ts';
import { stepChannels } from '../shared/step-kit.ts';

export interface ProvisionInput {
  datasetVersionId: string;
  /** An environment's name or id; the default environment when absent. */
  environment?: string | null;
  resetEnv?: boolean | null;
  /** Migrate a target that already holds the dataset's objects instead of refusing (see provisionDataset). */
  migrate?: boolean | null;
  allowDestructive?: boolean | null;
  runSmokeTests?: boolean | null;
}

export interface ProvisionOutcome extends ProvisionResult {
  environmentId: string;
  environment: string;
  datasetVersionId: string;
  provisionedTableIds: string[];
}

/** State of the provision step: the request (ids and flags) and the outcome (environment, tables, smoke report). */
export const ProvisionState = Annotation.Root({
  ...stepChannels,
  request: Annotation<ProvisionInput>,
  outcome: Annotation<ProvisionOutcome | undefined>,
});

export type ProvisionStateType = typeof ProvisionState.State;
export type ProvisionUpdate = typeof ProvisionState.Update;
