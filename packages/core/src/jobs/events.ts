/** A step's log event: stored as a JobLog row and published when the step runs inside a job. */
export interface StepEvent {
  step: string;
  level: 'started' | 'progress' | 'completed' | 'failed' | 'info' | 'warn';
  message: string;
  data?: Record<string, unknown>;
  jobId?: string;
}

export type EmitEvent = (event: StepEvent) => void;
