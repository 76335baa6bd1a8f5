// The lineage graph around any node (governance) and the search that finds a node to start from.
import { graphql, type ResultOf } from '../graphql';

export const LineageQuery = graphql(`
  query Lineage($kind: LineageKind!, $id: ID!, $depth: Int) {
    lineage(kind: $kind, id: $id, depth: $depth) {
      nodes {
        id
        kind
        label
        refId
      }
      edges {
        id
        from
        to
        operation
        fallbacks
        jobId
      }
    }
  }
`);

/** What the lineage search offers: recent jobs, datasets, environments and the jobs' test cases. */
export const LineageStartsQuery = graphql(`
  query LineageStarts {
    jobs(first: 50) {
      edges {
        node {
          rawId
          status
          operations
          createdAt
          qualityScore
          testCase {
            rawId
            name
          }
        }
      }
    }
    datasets(first: 100) {
      edges {
        node {
          rawId
          name
          kind
          createdAt
        }
      }
    }
    environments {
      rawId
      name
    }
  }
`);

export type LineageGraph = ResultOf<typeof LineageQuery>['lineage'];
export type LineageKind = LineageGraph['nodes'][number]['kind'];
export type LineageStarts = ResultOf<typeof LineageStartsQuery>;

export const LINEAGE_KINDS: LineageKind[] = ['JOB', 'DATASET_VERSION', 'TEST_CASE', 'ENVIRONMENT', 'SCHEMA_VERSION', 'TABLE', 'UNIFIED_SCHEMA'];

/**
 * Where the lineage page starts: the node in the URL (`kind`, `id`, `depth`), else the newest job,
 * else the newest dataset, else an environment; null when there is nothing yet.
 */
export function lineageStart(params: URLSearchParams, starts: LineageStarts | null | undefined): { kind: LineageKind; id: string; depth: number } | null {
  const depth = Number(params.get('depth') ?? 6) || 6;
  const kind = params.get('kind') ?? '';
  const id = params.get('id') ?? '';
  if (id) return { kind: (LINEAGE_KINDS as string[]).includes(kind) ? (kind as LineageKind) : 'JOB', id, depth };
  const job = starts?.jobs.edges[0]?.node;
  if (job) return { kind: 'JOB', id: job.rawId, depth };
  const dataset = starts?.datasets.edges[0]?.node;
  if (dataset) return { kind: 'DATASET_VERSION', id: dataset.rawId, depth };
  const environment = starts?.environments[0];
  return environment ? { kind: 'ENVIRONMENT', id: environment.rawId, depth } : null;
}
