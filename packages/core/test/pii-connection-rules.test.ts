/**
 * PII rules per stored connection: a document in the rules-file format kept on the connection
 * (validated with the line and field of a mistake) changes the classification of the schemas
 * discovered through that connection only, on top of the global `TDM_PII_RULES` file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidPiiRulesError } from '../src/errors.ts';
import { runDiscover } from '../src/graphs/discover/graph.ts';
import { classifyPii } from '../src/graphs/pii/graph.ts';
import { scanTargetForPii } from '../src/graphs/provision/pii-gate.ts';
import { runProvision } from '../src/graphs/provision/graph.ts';
import { runSubset } from '../src/graphs/subset/graph.ts';
import { mergePiiRules, parsePiiRules, parsePiiRulesText, readPiiRulesInput } from '../src/pii/rules-file.ts';
import { pgAvailable } from './support/databases.ts';
import { createTestEngine, type TestEngine } from './support/engine.ts';

const kind = (await pgAvailable()) ? 'postgres' : 'pglite';

const HR = `
create table hr_staff (id int primary key, emp_ref_1 text, actor_email text, email text);
insert into hr_staff select i, 'R' || i, 's' || i || '@example.org', 'p' || i || '@example.org' from generate_series(1, 30) i;`;

const CONNECTION_RULES = `
columns:
  - { pattern: '^emp_ref_\\d+$', table: '^hr_', type: PERSONAL_ID }
exclude:
  - { table: '^hr_staff$', column: '^actor_email$' }
`;

describe('rules documents', () => {
  it('locates a mistake in YAML or JSON text by line and field', () => {
    const yaml = 'words:\n  - { words: [kdnr], type: PERSONAL_ID }\ncolumns:\n  - pattern: "("\n    type: EMAIL\n';
    const err = (() => {
      try {
        parsePiiRulesText(yaml, 'rules of shop');
      } catch (e) {
        return e;
      }
    })() as InvalidPiiRulesError;
    expect(err).toBeInstanceOf(InvalidPiiRulesError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', path: 'columns.0.pattern', line: 4 });
    expect(err.message).toBe('rules of shop: line 4: columns.0.pattern: not a valid regular expression');
    // A missing field: the line of the entry that lacks it.
    expect(() => parsePiiRulesText('values:\n  - pattern: x\n  - pattern: y\n', 'r')).toThrow(/^r: line 2: values\.0\.type: /);
    const json = '{\n  "exclude": [\n    { "table": "a" }\n  ],\n  "shoes": 1\n}';
    expect(() => parsePiiRulesText(json, 'r')).toThrow(/^r: line 1: \(root\): .*shoes/);
    expect(() => parsePiiRulesText('columns: [ { pattern: a', 'r')).toThrow(/^r: line \d+: neither YAML nor JSON/);
    // A parsed document has no lines: the field alone.
    expect(() => readPiiRulesInput({ values: [{ pattern: 'x', type: 'SHOE_SIZE' }] }, 'r')).toThrow(/^r: values\.0\.type: /);
    expect(readPiiRulesInput(null)).toBeNull();
    expect(readPiiRulesInput(CONNECTION_RULES)?.exclude).toEqual([{ table: '^hr_staff$', column: '^actor_email$' }]);
  });

  it('merges documents: lists add up, the later document wins for the same column', () => {
    const global = parsePiiRules({ overrides: [{ table: 't', column: 'c', type: 'EMAIL' }], words: [{ words: ['kdnr'], type: 'PERSONAL_ID' }] });
    const own = parsePiiRules({ overrides: [{ table: 't', column: 'c', type: 'NONE' }] });
    expect(mergePiiRules(null, undefined)).toBeNull();
    expect(mergePiiRules(global, null)).toBe(global);
    const merged = mergePiiRules(global, own);
    expect(merged?.words).toHaveLength(1);
    expect(merged?.overrides.map((o) => o.type)).toEqual(['EMAIL', 'NONE']);
  });
});

describe(`rules stored on a connection (${kind})`, () => {
  let engine: TestEngine;
  let withRules: { connectionId: string; schemaVersionId: string };
  let without: { connectionId: string; schemaVersionId: string };

  beforeAll(async () => {
    engine = await createTestEngine('pii-conn-rules');
    const sources = [];
    for (const label of ['hr_a', 'hr_b']) {
      const db = await engine.database(kind, label);
      await (await engine.client(db.url)).exec(HR);
      sources.push(db);
    }
    const { tdm } = engine;
    const a = await tdm.connections.create({ name: 'hr-a', connectionString: sources[0]!.url, piiRules: CONNECTION_RULES });
    const b = await tdm.connections.create({ name: 'hr-b', connectionString: sources[1]!.url });
    withRules = { connectionId: a.id, schemaVersionId: (await runDiscover(tdm, { connectionId: a.id, schemas: ['public'] })).schemaVersionId };
    without = { connectionId: b.id, schemaVersionId: (await runDiscover(tdm, { connectionId: b.id, schemas: ['public'] })).schemaVersionId };
  }, 120_000);
  afterAll(() => engine?.close());

  const byColumn = (columns: { table: string; column: string; piiType: string; evidence: unknown }[]) =>
    Object.fromEntries(columns.map((c) => [`${c.table}.${c.column}`, c]));

  it("changes that connection's schema only; a bad document is refused and leaves the rules as they were", async () => {
    const { tdm } = engine;
    const ruled = byColumn((await classifyPii(tdm, { schemaVersionId: withRules.schemaVersionId })).columns);
    const plain = byColumn((await classifyPii(tdm, { schemaVersionId: without.schemaVersionId })).columns);
    expect(ruled['hr_staff.emp_ref_1']).toMatchObject({
      piiType: 'PERSONAL_ID',
      category: 'DIRECT_IDENTIFIER',
      evidence: expect.arrayContaining([expect.objectContaining({ detector: 'connection-rules-names', rule: 'connection-rules:columns[0]' })]),
    });
    expect(ruled['hr_staff.actor_email']).toMatchObject({
      piiType: 'NONE',
      evidence: [expect.objectContaining({ rule: 'connection-rules:exclude', evidence: "excluded by the connection's rules" })],
    });
    expect(ruled['hr_staff.email']?.piiType).toBe('EMAIL');
    expect(plain['hr_staff.emp_ref_1']?.piiType).toBe('NONE');
    expect(plain['hr_staff.actor_email']?.piiType).toBe('EMAIL');

    await expect(tdm.connections.setPiiRules(without.connectionId, 'exclude:\n  - { table: "[" }\n')).rejects.toThrow(
      /PII rules of connection hr-b: line 2: exclude\.0\.table: not a valid regular expression/,
    );
    expect(await tdm.connections.piiRules(without.connectionId)).toBeNull();
    // Set later on the other connection: its next classification follows; cleared: back to the defaults.
    await tdm.connections.setPiiRules(without.connectionId, { exclude: [{ column: '^email$' }] });
    const after = byColumn((await classifyPii(tdm, { schemaVersionId: without.schemaVersionId })).columns);
    expect(after['hr_staff.email']?.piiType).toBe('NONE');
    expect(after['hr_staff.actor_email']?.piiType).toBe('EMAIL');
    await tdm.connections.setPiiRules(withRules.connectionId, null);
    expect(byColumn((await classifyPii(tdm, { schemaVersionId: withRules.schemaVersionId })).columns)['hr_staff.emp_ref_1']?.piiType).toBe('NONE');
  });

  it("the PII gate of a target provisioned from the connection judges it by the connection's rules", { timeout: 180_000 }, async () => {
    const { tdm } = engine;
    await tdm.connections.setPiiRules(withRules.connectionId, CONNECTION_RULES);
    await tdm.connections.setPiiRules(without.connectionId, null);
    const leaksOf = async (connectionId: string, label: string) => {
      // Not classified on the source first: what the gate finds comes from detection on the target.
      const subset = await runSubset(tdm, { connectionId, schemas: ['public'] });
      const env = await engine.environment(kind, label);
      await runProvision(tdm, { datasetVersionId: subset.datasetVersionId, environment: env.name });
      const report = await scanTargetForPii(tdm, { environment: env.name, datasetVersionId: subset.datasetVersionId });
      return report.leaks.map((l) => `${l.table}.${l.column}:${l.piiType}`).sort();
    };
    await tdm.store.prisma.pIIClassification.deleteMany({});
    expect(await leaksOf(withRules.connectionId, 'gate_ruled')).toEqual(['hr_staff.email:EMAIL', 'hr_staff.emp_ref_1:PERSONAL_ID']);
    expect(await leaksOf(without.connectionId, 'gate_plain')).toEqual(['hr_staff.actor_email:EMAIL', 'hr_staff.email:EMAIL']);
  });

  it('applies on top of the TDM_PII_RULES file', async () => {
    const { tdm } = engine;
    await tdm.connections.setPiiRules(withRules.connectionId, CONNECTION_RULES);
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'tdm-pii-global-'));
    const file = join(dir, 'rules.yaml');
    await writeFile(file, 'overrides:\n  - { table: hr_staff, column: id, type: PERSONAL_ID }\n');
    const before = process.env.TDM_PII_RULES;
    process.env.TDM_PII_RULES = file;
    try {
      const ruled = byColumn((await classifyPii(tdm, { schemaVersionId: withRules.schemaVersionId })).columns);
      expect(ruled['hr_staff.id']?.piiType).toBe('PERSONAL_ID');
      expect(ruled['hr_staff.emp_ref_1']?.piiType).toBe('PERSONAL_ID');
      expect(ruled['hr_staff.actor_email']?.piiType).toBe('NONE');
    } finally {
      if (before === undefined) delete process.env.TDM_PII_RULES;
      else process.env.TDM_PII_RULES = before;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
