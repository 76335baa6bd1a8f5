/** Reading a schema version's stored PII classification (a user's overrides first). */
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { MaskRules } from '../mask/executor.ts';

/** Default mask rules: each classified PII column's recommended technique (overrides win), with its PII type. */
export async function defaultMaskRules(prisma: PrismaClient, schemaVersionId: string): Promise<{ rules: MaskRules; piiTypes: Record<string, string> }> {
  const sv = await prisma.schemaVersion.findUnique({ where: { id: schemaVersionId }, select: { schemaId: true } });
  if (!sv) return { rules: {}, piiTypes: {} };
  const rows = await prisma.pIIClassification.findMany({
    where: { OR: [{ schemaVersionId }, { schemaId: sv.schemaId, source: 'OVERRIDE' }] },
    orderBy: { createdAt: 'asc' },
  });
  const chosen = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    const k = `${r.schemaName}.${r.tableName}.${r.columnName}`;
    const prev = chosen.get(k);
    if (!prev || r.source === 'OVERRIDE' || (prev.source !== 'OVERRIDE' && r.createdAt >= prev.createdAt)) chosen.set(k, r);
  }
  const rules: MaskRules = {};
  const piiTypes: Record<string, string> = {};
  for (const [k, r] of chosen) {
    if (r.piiType === 'NONE' || !r.technique || r.technique === 'none' || r.technique === 'keep') continue;
    rules[k] = { transformer: r.technique };
    piiTypes[k] = r.piiType;
  }
  return { rules, piiTypes };
}
