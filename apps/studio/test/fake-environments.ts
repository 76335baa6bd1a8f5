// Target environments of the fake API (fake-api.ts), qa and staging, and provisioning a generated
// dataset into one (staging already holds data: only a reset makes room).
import type { Generated } from './fake-synthetic';

const ENVIRONMENTS = [
  { __typename: 'Environment', id: 'RW52aXJvbm1lbnQ6ZW52X3Fh', rawId: 'env_qa', name: 'qa', description: 'Shared QA database', isDefault: true },
  {
    __typename: 'Environment',
    id: 'RW52aXJvbm1lbnQ6ZW52X3N0YWdpbmc=',
    rawId: 'env_staging',
    name: 'staging',
    description: 'Pre-production; already holds data',
    isDefault: false,
  },
];

/** The environment resolvers, provisioning the datasets `generateSynthetic` made. */
export function environmentResolvers(datasets: ReadonlyMap<string, Generated>) {
  return {
    environments: () => ENVIRONMENTS,
    provisionDataset: ({ input }: { input: { datasetVersionId: string; environment?: string | null; resetEnv?: boolean | null } }) => {
      const generated = datasets.get(input.datasetVersionId);
      if (!generated) return { __typename: 'NotFoundError', message: `dataset version not found: ${input.datasetVersionId}`, code: 'NOT_FOUND' };
      const env = ENVIRONMENTS.find((e) => e.name === (input.environment ?? 'qa') || e.rawId === input.environment);
      if (!env) return { __typename: 'NotFoundError', message: `environment not found: ${input.environment}`, code: 'NOT_FOUND' };
      const names = generated.tables.map((t) => `${t.schema}.${t.name}`);
      // staging already holds the tables: only a reset makes room (as the real target refuses).
      if (env.name === 'staging' && !input.resetEnv) {
        return { __typename: 'BaseError', message: `the target already holds ${names.join(', ')}; provision with resetEnv to replace them`, code: 'CONFLICT' };
      }
      const [first] = generated.tables;
      return {
        __typename: 'MutationProvisionDatasetSuccess',
        data: {
          environment: env.name,
          datasetVersionId: generated.id,
          durationMs: 2480,
          tables: generated.tables,
          smoke: {
            passed: true,
            failures: [],
            rowCounts: generated.tables.map((t, i) => ({ table: names[i], expected: t.rowCount, actual: t.rowCount })),
            fkViolations: generated.tables
              .slice(1)
              .map((t, i) => ({ fk: `${t.name}_${generated.tables[i]?.name}_id_fkey`, table: names[i + 1], violations: 0 })),
            sequences: first
              ? [{ sequence: `${first.schema}.${first.name}_id_seq`, lastValue: String(first.rowCount), maxValue: String(first.rowCount), ok: true }]
              : [],
          },
        },
      };
    },
  };
}
