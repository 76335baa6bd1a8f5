import { z } from 'zod';
import { OPERATIONS } from './context.ts';

/** The seed's workflow request. `connectionString` never reaches the job row: it becomes a stored connection. */
export const WorkflowInputSchema = z.object({
  connectionString: z.string().min(1).optional().nullable(),
  connectionId: z.string().min(1).optional().nullable(),
  schemas: z.array(z.string().min(1)).optional().nullable(),
  schemaVersionId: z.string().min(1).optional().nullable(),
  testCaseContent: z.string().min(1).optional().nullable(),
  testCaseFileName: z.string().optional().nullable(),
  testCaseUrls: z.array(z.string().url()).optional().nullable(),
  domain: z.string().min(1).optional().nullable(),
  scenario: z.string().min(1).optional().nullable(),
  /** An OpenAPI 3 / Swagger 2 document (JSON or YAML), fused with the other schema sources. */
  openApiSpec: z.string().min(1).optional().nullable(),
  operations: z.array(z.enum(OPERATIONS)).optional().nullable(),
  /** Per-step config: `{ discover: {...}, subset: {...}, provision: { targetEnv } }`. */
  config: z.record(z.string(), z.unknown()).optional().nullable(),
  /** Row counts for synthetic generation (`{"*": 1000, "orders": 5000}`). */
  rowCounts: z.record(z.string(), z.number().int().nonnegative()).optional().nullable(),
  /** A named template (`A`–`D`) whose operations are used when `operations` is absent. */
  template: z.string().optional().nullable(),
});

export type WorkflowInput = z.infer<typeof WorkflowInputSchema>;
