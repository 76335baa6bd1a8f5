/**
 * The lineage graph: Lineage rows are its edges (from → to, by an operation in a job); nodes are the
 * test cases, jobs, schema versions, dataset versions, environments and tables they name.
 */
import type { FieldLineage, LineageKind, PrismaClient } from '../generated/prisma/client.ts';
import { fieldLineageOf } from './fields.ts';
import { latestScores } from '../quality/store.ts';

export interface LineageNode {
  /** `${kind}:${id}` — unique across kinds. */
  id: string;
  kind: LineageKind;
  refId: string;
  label: string;
  /** Dataset versions: the newest quality score (0–100); null when never measured or not a dataset. */
  qualityScore: number | null;
}

export interface LineageEdge {
  id: string;
  from: string;
  to: string;
  operation: string;
  jobId: string | null;
  configHash: string | null;
  fallbacks: string[];
  createdAt: Date;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** Field-level lineage of the graph's dataset versions and provisioned tables. */
  fields: FieldLineage[];
}

export const nodeId = (kind: string, id: string) => `${kind}:${id}`;

/**
 * Everything connected to a node, walking edges in both directions up to `depth` hops (from a job:
 * its own edges only — its test case, the schema version it discovered, the datasets and tables it
 * made), with the field-level lineage of the dataset versions and tables reached.
 */
export async function lineageAround(prisma: PrismaClient, start: { kind: LineageKind; id: string }, depth = 6): Promise<LineageGraph> {
  const seen = new Set<string>([nodeId(start.kind, start.id)]);
  const edges = new Map<string, LineageEdge>();
  let frontier: { kind: LineageKind; id: string }[] = [start];
  for (let hop = 0; hop < depth && frontier.length; hop++) {
    const rows = await prisma.lineage.findMany({
      where: {
        // From a job: what that job read and made (its own edges), not everything else made from the
        // same schema version by other jobs or direct calls.
        ...(start.kind === 'JOB' ? { jobId: start.id } : {}),
        OR: frontier.flatMap((n) => [
          { fromKind: n.kind, fromId: n.id },
          { toKind: n.kind, toId: n.id },
        ]),
      },
      orderBy: { createdAt: 'asc' },
    });
    const next: { kind: LineageKind; id: string }[] = [];
    for (const r of rows) {
      edges.set(r.id, {
        id: r.id,
        from: nodeId(r.fromKind, r.fromId),
        to: nodeId(r.toKind, r.toId),
        operation: r.operation,
        jobId: r.jobId,
        configHash: r.configHash,
        fallbacks: r.fallbacks,
        createdAt: r.createdAt,
      });
      for (const n of [
        { kind: r.fromKind, id: r.fromId },
        { kind: r.toKind, id: r.toId },
      ]) {
        const key = nodeId(n.kind, n.id);
        if (!seen.has(key)) {
          seen.add(key);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  const nodes = await labelNodes(prisma, [...seen]);
  const fields = await fieldLineageOf(
    prisma,
    nodes.map((n) => ({ kind: n.kind, id: n.refId })),
  );
  return { nodes, edges: [...edges.values()], fields };
}

async function labelNodes(prisma: PrismaClient, keys: string[]): Promise<LineageNode[]> {
  const byKind = new Map<string, string[]>();
  for (const k of keys) {
    const i = k.indexOf(':');
    const kind = k.slice(0, i);
    byKind.set(kind, [...(byKind.get(kind) ?? []), k.slice(i + 1)]);
  }
  const labels = new Map<string, string>();
  const ids = (kind: string) => byKind.get(kind) ?? [];
  for (const t of await prisma.testCase.findMany({ where: { id: { in: ids('TEST_CASE') } }, select: { id: true, name: true } }))
    labels.set(nodeId('TEST_CASE', t.id), t.name);
  for (const j of await prisma.job.findMany({ where: { id: { in: ids('JOB') } }, select: { id: true, operations: true, status: true } }))
    labels.set(nodeId('JOB', j.id), `job ${j.operations.join(' → ')} (${j.status})`);
  for (const v of await prisma.schemaVersion.findMany({
    where: { id: { in: ids('SCHEMA_VERSION') } },
    select: { id: true, version: true, schema: { select: { name: true } } },
  }))
    labels.set(nodeId('SCHEMA_VERSION', v.id), `${v.schema.name} v${v.version}`);
  for (const d of await prisma.datasetVersion.findMany({ where: { id: { in: ids('DATASET_VERSION') } }, select: { id: true, name: true, kind: true } }))
    labels.set(nodeId('DATASET_VERSION', d.id), `${d.kind.toLowerCase()} dataset ${d.name}`);
  for (const e of await prisma.environment.findMany({ where: { id: { in: ids('ENVIRONMENT') } }, select: { id: true, name: true } }))
    labels.set(nodeId('ENVIRONMENT', e.id), `environment ${e.name}`);
  for (const t of await prisma.provisionedTable.findMany({
    where: { id: { in: ids('TABLE') } },
    select: { id: true, schemaName: true, tableName: true, environment: { select: { name: true } } },
  }))
    labels.set(nodeId('TABLE', t.id), `${t.environment.name}: ${t.schemaName}.${t.tableName}`);
  const scores = await latestScores(prisma, ids('DATASET_VERSION'));
  return keys.map((k) => {
    const i = k.indexOf(':');
    const refId = k.slice(i + 1);
    const kind = k.slice(0, i) as LineageKind;
    return { id: k, kind, refId, label: labels.get(k) ?? k, qualityScore: kind === 'DATASET_VERSION' ? (scores.get(refId) ?? null) : null };
  });
}

export interface JobTrace {
  jobId: string;
  workflowId: string;
  testCaseId: string | null;
  status: string;
  operations: string[];
  schemaVersionIds: string[];
  datasetVersionIds: string[];
  provisionedTables: { environment: string; schema: string; table: string; rowCount: number }[];
  rowCounts: Record<string, number>;
  fallbacksUsed: string[];
  /** The job's quality score (its newest dataset's), and each report the job stored. */
  qualityScore: number | null;
  qualityReports: { datasetVersionId: string; reportId: string; score: number }[];
}

/** The seed's trace of a job: what it read, made and provisioned. */
export async function jobTrace(prisma: PrismaClient, jobId: string): Promise<JobTrace | null> {
  const job = await prisma.job.findUnique({
    where: { id: jobId },
    include: {
      lineage: true,
      provisions: { include: { environment: { select: { name: true } } } },
      datasets: { select: { id: true, totalRows: true, tables: { select: { schemaName: true, tableName: true, rowCount: true } } } },
      qualityReports: { orderBy: { createdAt: 'asc' }, select: { id: true, datasetVersionId: true, score: true } },
    },
  });
  if (!job) return null;
  const context = (job.context ?? {}) as { fallbacksUsed?: string[] };
  const made = (kind: string) => [...new Set(job.lineage.filter((l) => l.toKind === kind).map((l) => l.toId))];
  const rowCounts: Record<string, number> = {};
  for (const d of job.datasets) for (const t of d.tables) rowCounts[`${t.schemaName}.${t.tableName}`] = Number(t.rowCount);
  for (const p of job.provisions) rowCounts[`${p.schemaName}.${p.tableName}`] = Number(p.rowCount);
  return {
    jobId: job.id,
    workflowId: job.workflowId,
    testCaseId: job.testCaseId,
    status: job.status,
    operations: job.operations,
    schemaVersionIds: made('SCHEMA_VERSION'),
    datasetVersionIds: [...new Set([...made('DATASET_VERSION'), ...job.datasets.map((d) => d.id)])],
    provisionedTables: job.provisions.map((p) => ({ environment: p.environment.name, schema: p.schemaName, table: p.tableName, rowCount: Number(p.rowCount) })),
    rowCounts,
    fallbacksUsed: context.fallbacksUsed ?? [],
    qualityScore: job.qualityScore,
    qualityReports: job.qualityReports.map((r) => ({ datasetVersionId: r.datasetVersionId, reportId: r.id, score: r.score })),
  };
}
