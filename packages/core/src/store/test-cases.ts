/** Test cases: stored once per content (by hash), so every job and dataset made from the same text links to one node. */
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';

export async function upsertTestCase(prisma: PrismaClient, content: string, fileName: string | null, kind: string): Promise<string> {
  const contentHash = createHash('sha256').update(content).digest('hex');
  const row = await prisma.testCase.upsert({
    where: { contentHash },
    create: { contentHash, content, kind, name: fileName ?? firstLine(content) },
    update: {},
  });
  return row.id;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? 'test case';
  return line.trim().slice(0, 120);
}
