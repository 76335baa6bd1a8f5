/**
 * Quality reports in the metadata store: one `QualityReport` row per measurement (the score in its
 * own column, the rest of the report as JSON), the newest one being the dataset's current report.
 */
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { QualityReportData } from './types.ts';

export interface StoredQualityReport extends QualityReportData {
  id: string;
  jobId: string | null;
  createdAt: Date;
}

export async function saveQualityReport(prisma: PrismaClient, report: QualityReportData, jobId: string | null): Promise<StoredQualityReport> {
  const { datasetVersionId, score, ...rest } = report;
  const row = await prisma.qualityReport.create({ data: { datasetVersionId, score, jobId, metrics: rest as object } });
  return { ...report, id: row.id, jobId: row.jobId, createdAt: row.createdAt };
}

function fromRow(row: { id: string; datasetVersionId: string; jobId: string | null; score: number; metrics: unknown; createdAt: Date }): StoredQualityReport {
  const rest = row.metrics as Omit<QualityReportData, 'datasetVersionId' | 'score'>;
  return { ...rest, datasetVersionId: row.datasetVersionId, score: row.score, id: row.id, jobId: row.jobId, createdAt: row.createdAt };
}

/** The newest report of a dataset version, or null when it was never measured. */
export async function latestQualityReport(prisma: PrismaClient, datasetVersionId: string): Promise<StoredQualityReport | null> {
  const row = await prisma.qualityReport.findFirst({ where: { datasetVersionId }, orderBy: { createdAt: 'desc' } });
  return row ? fromRow(row) : null;
}

/** Newest scores of several dataset versions (for lineage nodes). */
export async function latestScores(prisma: PrismaClient, datasetVersionIds: string[]): Promise<Map<string, number>> {
  if (!datasetVersionIds.length) return new Map();
  const rows = await prisma.qualityReport.findMany({
    where: { datasetVersionId: { in: datasetVersionIds } },
    orderBy: { createdAt: 'asc' },
    select: { datasetVersionId: true, score: true },
  });
  return new Map(rows.map((r) => [r.datasetVersionId, r.score]));
}
