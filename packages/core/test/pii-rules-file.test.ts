import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../src/catalog/read-catalog.ts';
import { openSqlClient } from '../src/db/open.ts';
import { classifyCatalog } from '../src/pii/classify.ts';
import { loadPiiRules, parsePiiRules, piiRulesFromEnv } from '../src/pii/rules-file.ts';
import { createPgliteUrl } from './support/databases.ts';

const dir = await mkdtemp(join(tmpdir(), 'tdm-pii-rules-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const YAML = `
words:
  - { words: [kundennummer], type: PERSONAL_ID }
columns:
  - { pattern: '^ref_\\d+$', table: '^hr_', type: PERSONAL_ID, confidence: 0.9 }
values:
  - { pattern: '^EMP-\\d{6}$', type: PERSONAL_ID }
exclude:
  - { table: '^audit_log$', column: '^actor_email$' }
overrides:
  - { table: hr_people, column: nickname, type: USERNAME, technique: redact }
`;

describe('rules file', () => {
  it('reads YAML and JSON, names the file and entry when invalid', async () => {
    const yml = join(dir, 'rules.yaml');
    await writeFile(yml, YAML);
    const rules = await loadPiiRules(yml);
    expect(rules.words[0]).toMatchObject({ type: 'PERSONAL_ID', confidence: 0.8 });
    const json = join(dir, 'rules.json');
    await writeFile(json, JSON.stringify({ values: [{ pattern: '^X\\d+$', type: 'SECRET' }] }));
    expect((await piiRulesFromEnv({ TDM_PII_RULES: json }))?.values[0]?.threshold).toBe(0.8);
    expect(await piiRulesFromEnv({})).toBeNull();
    expect(() => parsePiiRules({ columns: [{ pattern: '(', type: 'EMAIL' }] }, 'f.yaml')).toThrow(
      /f\.yaml: columns\.0\.pattern: not a valid regular expression/,
    );
    expect(() => parsePiiRules({ values: [{ pattern: 'x', type: 'SHOE_SIZE' }] })).toThrow(/values\.0\.type/);
    expect(() => parsePiiRules({ unknown: [] })).toThrow();
    await expect(loadPiiRules(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });

  it('adds words, patterns, exclusions and fixed classifications to a classification', async () => {
    const rules = parsePiiRules((await import('yaml')).parse(YAML));
    const db = await createPgliteUrl({ memory: true });
    const sql = await openSqlClient(db.url);
    try {
      await sql.exec(`
        create table hr_people (id int primary key, kundennummer text, ref_1 text, ident text, nickname text, email text);
        insert into hr_people select i, 'K' || i, 'R' || i, 'EMP-' || lpad(i::text, 6, '0'), 'nick' || i, 'p' || i || '@example.org' from generate_series(1, 20) i;
        create table audit_log (id int primary key, actor_email text);
        insert into audit_log select i, 'p' || i || '@example.org' from generate_series(1, 20) i;`);
      const catalog = await readCatalog(sql, ['public']);
      const plain = await classifyCatalog(sql, catalog, { includeNone: false });
      const ruled = await classifyCatalog(sql, catalog, { includeNone: false, rules });
      const get = (r: typeof plain, c: string) => r.find((x) => `${x.table}.${x.column}` === c);
      for (const c of ['hr_people.kundennummer', 'hr_people.ref_1', 'hr_people.ident']) expect(get(plain, c)).toBeUndefined();
      expect(get(plain, 'audit_log.actor_email')?.piiType).toBe('EMAIL');
      expect(get(ruled, 'hr_people.kundennummer')).toMatchObject({ piiType: 'PERSONAL_ID', category: 'DIRECT_IDENTIFIER' });
      expect(get(ruled, 'hr_people.ref_1')?.evidence[0]).toMatchObject({ rule: 'rules-file:columns[0]' });
      expect(get(ruled, 'hr_people.ident')?.evidence[0]).toMatchObject({ rule: 'rules-file:values[0]', matched: 20, sampled: 20 });
      expect(get(plain, 'hr_people.nickname')).toMatchObject({ piiType: 'USERNAME', technique: 'hash', source: 'DETECTED' });
      expect(get(ruled, 'hr_people.nickname')).toMatchObject({ piiType: 'USERNAME', technique: 'redact', source: 'OVERRIDE' });
      expect(get(ruled, 'audit_log.actor_email')).toBeUndefined();
      expect(get(ruled, 'hr_people.email')?.piiType).toBe('EMAIL');
      // A stored reviewer override of the same column wins over the file.
      const reviewed = await classifyCatalog(sql, catalog, { rules, overrides: [{ table: 'hr_people', column: 'nickname', piiType: 'NONE' }] });
      expect(get(reviewed, 'hr_people.nickname')?.piiType).toBe('NONE');
    } finally {
      await sql.close();
      await db.drop();
    }
  });
});
