/**
 * An optional LLM pass over what the parsers found: it may merge synonyms (`firstname` and
 * `first_name`), name entities better (`record` → `user`) and guess types the rules left as
 * `string`. It never adds a field the parsers did not find and never drops one; anything it answers
 * that does not fit is ignored, and without a model (or when the model fails) the deterministic
 * analysis is returned unchanged. Example values never leave the process as they are: each is sent
 * as its shape (`Ann Lee` → `Xxx Xxx`, `ann@x.io` → `xxx@x.xx`, digits → 9), so no personal data
 * reaches the model.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { snakeCase } from './fields.ts';
import { FIELD_TYPES, type FieldType, type TestCaseAnalysis, type TestCaseEntity, type TestCaseField } from './types.ts';

/** A value's shape: letters become x/X, digits 9; punctuation and length stay. */
export function maskValue(value: string): string {
  return value.slice(0, 40).replace(/\p{L}|\p{N}/gu, (ch) => (/\p{N}/u.test(ch) ? '9' : /\p{Lu}/u.test(ch) ? 'X' : 'x'));
}

interface Proposal {
  entities?: { name?: unknown; from?: unknown; fields?: { name?: unknown; from?: unknown; type?: unknown }[] }[];
}

const SYSTEM = `You refine the result of a parser that read a UI test and listed the form fields it fills in.
Answer with JSON only: {"entities":[{"name":"<entity>","from":["<entity names it replaces>"],"fields":[{"name":"<field>","from":["<field names it merges>"],"type":"<type>"}]}]}.
Rules: use only the field names you were given in "from"; snake_case names; merge names that mean the same datum; name each entity by the record it is (user, customer, address, order, payment, product, …); type is one of ${FIELD_TYPES.join(', ')}. Example values are masked shapes (X/x letters, 9 digits).`;

function prompt(analysis: TestCaseAnalysis): string {
  const entities = analysis.entities.map((e) => ({
    name: e.name,
    fields: e.fields.map((f) => ({ name: f.name, type: f.type, examples: f.exampleValues.slice(0, 3).map(maskValue) })),
  }));
  return JSON.stringify({ format: analysis.format, entities });
}

function parseProposal(text: string): Proposal | undefined {
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (!json) return undefined;
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as Proposal) : undefined;
  } catch {
    return undefined;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Applies a proposal to the analysis, keeping every field the parsers found exactly once. */
function apply(analysis: TestCaseAnalysis, proposal: Proposal): TestCaseAnalysis {
  const byName = new Map(analysis.entities.map((e) => [e.name, e]));
  const used = new Set<string>();
  const out: TestCaseEntity[] = [];
  for (const p of proposal.entities ?? []) {
    const name = typeof p.name === 'string' ? snakeCase(p.name) : '';
    const sources = strings(p.from).filter((n) => byName.has(n) && !used.has(n));
    if (!name || !sources.length) continue;
    for (const s of sources) used.add(s);
    const originals = sources.map((s) => byName.get(s) as TestCaseEntity);
    const pool = new Map<string, TestCaseField>();
    for (const e of originals) for (const f of e.fields) if (!pool.has(f.name)) pool.set(f.name, f);
    const fields: TestCaseField[] = [];
    const renames = new Map<string, string>();
    for (const pf of p.fields ?? []) {
      const fname = typeof pf.name === 'string' ? snakeCase(pf.name) : '';
      const merged = strings(pf.from).filter((n) => pool.has(n));
      if (!fname || !merged.length) continue;
      const parts = merged.map((n) => pool.get(n) as TestCaseField);
      for (const n of merged) {
        pool.delete(n);
        renames.set(n, fname);
      }
      const base = parts[0] as TestCaseField;
      const proposed = typeof pf.type === 'string' && (FIELD_TYPES as readonly string[]).includes(pf.type) ? (pf.type as FieldType) : undefined;
      fields.push({
        ...base,
        name: fname,
        // A model's guess only replaces what the rules could not tell.
        type: base.type === 'string' && proposed ? proposed : base.type,
        exampleValues: [...new Set(parts.flatMap((f) => f.exampleValues))],
        constraints: [...new Set(parts.flatMap((f) => f.constraints))],
        source: parts.map((f) => f.source).sort((a, b) => a.line - b.line)[0] ?? base.source,
      });
    }
    // Fields the model did not mention stay as the parsers found them.
    fields.push(...pool.values());
    const rename = (row: Record<string, string>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [renames.get(k) ?? k, v]));
    out.push({ name, fields, exampleRows: originals.flatMap((e) => e.exampleRows.map(rename)) });
  }
  for (const e of analysis.entities) if (!used.has(e.name)) out.push(e);
  const merged = new Map<string, TestCaseEntity>();
  for (const e of out) {
    const prev = merged.get(e.name);
    if (!prev) merged.set(e.name, e);
    else
      merged.set(e.name, {
        name: e.name,
        fields: [...prev.fields, ...e.fields.filter((f) => !prev.fields.some((g) => g.name === f.name))],
        exampleRows: [...prev.exampleRows, ...e.exampleRows],
      });
  }
  return { ...analysis, entities: [...merged.values()] };
}

/**
 * The analysis refined by the model, or the analysis itself when there is no model, nothing to
 * refine, or the model's answer cannot be used. `refinedBy` says which happened.
 */
export async function refineAnalysis(
  analysis: TestCaseAnalysis,
  llm: BaseChatModel | null | undefined,
  options: { signal?: AbortSignal } = {},
): Promise<TestCaseAnalysis & { refinedBy: 'rules' | 'llm' }> {
  if (!llm || analysis.entities.length === 0) return { ...analysis, refinedBy: 'rules' };
  try {
    const answer = await llm.invoke(
      [
        ['system', SYSTEM],
        ['human', prompt(analysis)],
      ],
      { signal: options.signal ?? AbortSignal.timeout(60_000) },
    );
    const text = typeof answer.content === 'string' ? answer.content : answer.content.map((c) => ('text' in c ? c.text : '')).join('');
    const proposal = parseProposal(text);
    if (!proposal?.entities?.length) return { ...analysis, refinedBy: 'rules' };
    return { ...apply(analysis, proposal), refinedBy: 'llm' };
  } catch {
    return { ...analysis, refinedBy: 'rules' };
  }
}
