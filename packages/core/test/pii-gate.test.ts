/**
 * The PII gate judged by taxonomy category, on the project's own people.sql (PostgreSQL when it is
 * reachable, PGlite otherwise): a target masked with the classification's techniques has no leftover
 * column in any category; a mask asked to transform one health column makes every other health
 * column left with real values a leak, and leaves other categories out of the verdict.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMask } from '../src/graphs/mask/graph.ts';
import { classifyPii } from '../src/graphs/pii/graph.ts';
import { scanTargetForPii, shuffleChanceLimit } from '../src/graphs/provision/pii-gate.ts';
import { runProvision } from '../src/graphs/provision/graph.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import type { SubsetOutcome } from '../src/graphs/subset/state.ts';
import { pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';
import { loadSqlScript } from './support/load-sql.ts';

const kind = (await pgAvailable()) ? 'postgres' : 'pglite';
const SALT = 'pii-gate-salt';
let engine: TestEngine;
let subset: SubsetOutcome;

beforeAll(async () => {
  engine = await createTestEngine('pii-gate');
  const db = await engine.database(kind, 'people_src');
  const sql = await engine.client(db.url);
  await loadSqlScript(sql, readFileSync(new URL('./fixtures/pii/people.sql', import.meta.url), 'utf8'));
  subset = await runSubset(engine.tdm, { connectionString: db.url, schemas: ['public'] });
}, 120_000);
afterAll(() => engine?.close());

describe('shuffle chance limit', () => {
  it('allows what a permutation leaves in place by chance, not an unshuffled column', () => {
    const bloodTypes = ['O+', 'A-', 'B+', 'AB+', 'O-', 'A+', 'B-', 'O+'];
    expect(shuffleChanceLimit(bloodTypes)).toBeLessThan(bloodTypes.length);
    const genders = Array.from({ length: 200 }, (_, i) => (i % 2 ? 'female' : 'male'));
    // Half the rows keep their gender by chance; all 200 is a column that was never shuffled.
    expect(shuffleChanceLimit(genders)).toBeGreaterThan(100);
    expect(shuffleChanceLimit(genders)).toBeLessThan(200);
  });
});

describe(`PII gate by category (${kind})`, () => {
  it('a mask asked to transform one health column: other health columns with real values leak, other categories are not judged', async () => {
    const { tdm } = engine;
    const masked = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: SALT, rules: { 'patients.allergies': { transformer: 'shuffle' } } });
    const env = await engine.environment(kind, 'gate_health');
    await runProvision(tdm, { datasetVersionId: masked.datasetVersionId, environment: env.name });
    const report = await scanTargetForPii(tdm, { environment: env.name, datasetVersionId: masked.datasetVersionId });
    expect(report.categories).toEqual(['HEALTH']);
    const leaking = report.leaks.map((l) => `${l.table}.${l.column}`);
    expect(leaking).toEqual(expect.arrayContaining(['patients.blood_type', 'patients.weight_kg', 'vitals.systolic']));
    expect(report.leaks.every((l) => l.category === 'HEALTH')).toBe(true);
    expect(leaking).not.toContain('patients.allergies');
    expect(leaking).not.toContain('patients.full_name');
  }, 120_000);

  it('masked with the classification: every category checked, no leftover column, countries kept', async () => {
    const { tdm } = engine;
    const { columns: classified } = await classifyPii(tdm, { schemaVersionId: subset.schemaVersionId });
    const byColumn = new Map(classified.map((c) => [`${c.table}.${c.column}`, c]));
    expect(byColumn.get('payroll.amount')).toMatchObject({ piiType: 'SALARY', category: 'EMPLOYMENT', technique: 'generalize' });
    expect(byColumn.get('patients.medical_history')).toMatchObject({ category: 'HEALTH', technique: 'null' });
    expect(byColumn.get('clientes.pais')).toMatchObject({ piiType: 'COUNTRY', technique: 'keep' });
    const contact = byColumn.get('pilots.contact');
    expect(contact?.evidence).toEqual(
      expect.arrayContaining([expect.objectContaining({ detector: 'value-rules', rule: 'value:email', matched: 8, sampled: 8 })]),
    );

    const masked = await runMask(tdm, { datasetVersionId: subset.datasetVersionId, salt: SALT });
    const env = await engine.environment(kind, 'gate_all');
    await runProvision(tdm, { datasetVersionId: masked.datasetVersionId, environment: env.name });
    const report = await scanTargetForPii(tdm, { environment: env.name, datasetVersionId: masked.datasetVersionId });
    expect(report.categories).toEqual(expect.arrayContaining(['DIRECT_IDENTIFIER', 'LOCATION', 'HEALTH', 'FINANCIAL', 'EMPLOYMENT', 'FREE_TEXT']));
    expect(report.leaks).toEqual([]);
    expect(report.checkedColumns).toBeGreaterThan(25);
  }, 120_000);
});
