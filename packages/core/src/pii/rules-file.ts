/**
 * Rules a team adds to detection without changing code: a YAML or JSON file (path in
 * `TDM_PII_RULES`, or passed per run) with
 *
 * ```yaml
 * words:                 # column-name vocabulary, matched like the built-in words (tokens, gates)
 *   - { words: [kundennummer, kdnr], type: PERSONAL_ID }
 *   - { words: [standort], type: CITY, gate: place, confidence: 0.65 }
 * columns:               # regular expressions on column names (and optionally table names)
 *   - { pattern: '^emp_ref_\d+$', type: PERSONAL_ID, table: '^hr_' }
 * values:                # regular expressions every sampled value is tried against
 *   - { pattern: '^EMP-\d{6}$', type: PERSONAL_ID, threshold: 0.8 }
 * exclude:               # never personal, whatever the detectors say
 *   - { table: '^audit_', column: '.*' }
 * overrides:             # fixed classifications; a reviewer's stored override still wins
 *   - { table: patients, column: notes, type: HEALTH_RECORD, technique: 'null' }
 * ```
 *
 * Every pattern is a JavaScript regular expression, case-insensitive. The file is validated as a
 * whole; an invalid one fails the classification with the path, the line and the offending field.
 * A stored connection can carry a document of the same form (`Connection.piiRules`): it applies on
 * top of the file to the schemas discovered through that connection (`mergePiiRules`).
 */
import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { InvalidInputError, InvalidPiiRulesError } from '../errors.ts';
import type { Vocabulary } from './detectors/name-rules.ts';
import { PII_TYPES, type PiiType } from './taxonomy.ts';
import { typeCategory } from './type-gate.ts';
import type { ColumnSample, PiiDetector, PiiSignal } from './types.ts';
import { type Entry, STRONG } from './vocabulary.ts';

const piiType = z.enum(PII_TYPES as [PiiType, ...PiiType[]]);
const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);
const confidence = z.number().min(0).max(1).default(STRONG);

export const piiRulesSchema = z
  .object({
    words: z
      .array(
        z.object({ words: z.array(z.string().min(1)).min(1), type: piiType, confidence, gate: z.enum(['person', 'place', 'health', 'employment']).optional() }),
      )
      .default([]),
    columns: z.array(z.object({ pattern: regex, table: regex.optional(), type: piiType, confidence })).default([]),
    values: z.array(z.object({ pattern: regex, type: piiType, confidence, threshold: z.number().min(0.1).max(1).default(0.8) })).default([]),
    exclude: z.array(z.object({ table: regex.default('.*'), column: regex.default('.*') })).default([]),
    overrides: z
      .array(z.object({ schema: z.string().optional(), table: z.string().min(1), column: z.string().min(1), type: piiType, technique: z.string().optional() }))
      .default([]),
  })
  .strict();
export type PiiRules = z.output<typeof piiRulesSchema>;

type Issue = z.core.$ZodIssue;
const issuePath = (issue: Issue | undefined) => issue?.path.map(String).join('.') || '(root)';

function rulesError(source: string, issue: Issue | undefined, line: number | null, issues: Issue[]): InvalidPiiRulesError {
  const path = issuePath(issue);
  const where = line === null ? '' : `line ${line}: `;
  return new InvalidPiiRulesError(`${source}: ${where}${path}: ${issue?.message}`, path, line, { source, issues: issues.slice(0, 5) });
}

/** Validates a parsed rules document; `source` names it in errors (an `InvalidPiiRulesError` naming the field). */
export function parsePiiRules(doc: unknown, source = 'PII rules'): PiiRules {
  const parsed = piiRulesSchema.safeParse(doc ?? {});
  if (!parsed.success) throw rulesError(source, parsed.error.issues[0], null, parsed.error.issues);
  return parsed.data;
}

/**
 * Parses and validates a rules document written as YAML or JSON text. Errors name the line of the
 * offending field (or of its nearest enclosing entry when the field is missing).
 */
export function parsePiiRulesText(text: string, source = 'PII rules'): PiiRules {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0]?.line ?? lineCounter.linePos(syntax.pos[0]).line;
    throw new InvalidPiiRulesError(`${source}: line ${line}: neither YAML nor JSON: ${syntax.message.split('\n')[0]}`, '(root)', line, { source });
  }
  const parsed = piiRulesSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  let line: number | null = null;
  // The deepest node of the issue's path that exists in the document.
  for (let path = [...(issue?.path ?? [])]; line === null; path = path.slice(0, -1)) {
    const node =
      path.length === 0
        ? doc.contents
        : doc.getIn(
            path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
            true,
          );
    if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
    if (path.length === 0) break;
  }
  throw rulesError(source, issue, line, parsed.error.issues);
}

/**
 * A rules document given through the API: YAML or JSON text, or an already parsed object (null or
 * undefined: no rules). Validated either way.
 */
export function readPiiRulesInput(input: unknown, source = 'PII rules'): PiiRules | null {
  if (input === null || input === undefined) return null;
  return typeof input === 'string' ? parsePiiRulesText(input, source) : parsePiiRules(input, source);
}

/**
 * Rules applied together, in order: every list is concatenated, so a later document adds to the
 * earlier ones; for the same word or the same overridden column the later document wins. Null
 * when none is given.
 */
export function mergePiiRules(...documents: (PiiRules | null | undefined)[]): PiiRules | null {
  const present = documents.filter((d): d is PiiRules => !!d);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0] as PiiRules;
  return {
    words: present.flatMap((d) => d.words),
    columns: present.flatMap((d) => d.columns),
    values: present.flatMap((d) => d.values),
    exclude: present.flatMap((d) => d.exclude),
    overrides: present.flatMap((d) => d.overrides),
  };
}

/** Reads and validates a YAML or JSON rules file. */
export async function loadPiiRules(path: string): Promise<PiiRules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidInputError(`PII rules file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { path });
  }
  return parsePiiRulesText(text, `PII rules file ${path}`);
}

/** The rules named by `TDM_PII_RULES`, or null when it is unset. */
export async function piiRulesFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<PiiRules | null> {
  const path = env.TDM_PII_RULES?.trim();
  return path ? loadPiiRules(path) : null;
}

/** The `words` of the rules as vocabulary for the name rules (keys are token runs, as in vocabulary.ts). */
export function rulesVocabulary(rules: PiiRules): Vocabulary {
  const map = new Map<string, Entry>();
  for (const w of rules.words)
    for (const word of w.words) {
      const key = word.toLowerCase().replace(/[^a-z0-9]+/g, '');
      map.set(key, w.gate ? { type: w.type, confidence: w.confidence, gate: w.gate } : { type: w.type, confidence: w.confidence });
    }
  return map;
}

/** Whether the rules exclude the column from detection. */
export function isExcluded(rules: PiiRules, table: string, column: string): boolean {
  return rules.exclude.some((e) => new RegExp(e.table, 'i').test(table) && new RegExp(e.column, 'i').test(column));
}

/** Where a rules document comes from, as detectors, rule ids and evidence name it. */
export interface RulesOrigin {
  /** Prefix of detector names and rule ids: `rules-file` (TDM_PII_RULES) or `connection-rules`. */
  id: string;
  /** In evidence: "the rules file", "the connection's rules". */
  label: string;
}
export const RULES_FILE: RulesOrigin = { id: 'rules-file', label: 'the rules file' };
export const CONNECTION_RULES: RulesOrigin = { id: 'connection-rules', label: "the connection's rules" };

/** Detectors for the `columns` (name kind) and `values` (value kind) patterns of the rules. */
export function rulesDetectors(rules: PiiRules, origin: RulesOrigin = RULES_FILE): PiiDetector[] {
  const columns = rules.columns.map((c, i) => ({ ...c, re: new RegExp(c.pattern, 'i'), tableRe: c.table ? new RegExp(c.table, 'i') : null, i }));
  const values = rules.values.map((v, i) => ({ ...v, re: new RegExp(v.pattern, 'i'), i }));
  const nameDetector: PiiDetector = {
    name: `${origin.id}-names`,
    description: `Column-name patterns of ${origin.label}`,
    kind: 'name',
    detect: (column: ColumnSample): PiiSignal[] =>
      columns
        .filter((c) => c.re.test(column.column) && (!c.tableRe || c.tableRe.test(column.table)))
        .map((c) => ({
          detector: `${origin.id}-names`,
          piiType: c.type,
          confidence: c.confidence,
          rule: `${origin.id}:columns[${c.i}]`,
          evidence: `column name matches ${origin.label} pattern /${c.pattern}/`,
        })),
  };
  const valueDetector: PiiDetector = {
    name: `${origin.id}-values`,
    description: `Value patterns of ${origin.label}`,
    kind: 'value',
    detect(column: ColumnSample): PiiSignal[] {
      if (typeCategory(column) === 'bytea') return [];
      const sampled = column.values.map((v) => v.trim()).filter((v) => v !== '');
      if (sampled.length < 3) return [];
      const out: PiiSignal[] = [];
      for (const v of values) {
        const matched = sampled.filter((x) => v.re.test(x)).length;
        if (matched / sampled.length < v.threshold) continue;
        out.push({
          detector: `${origin.id}-values`,
          piiType: v.type,
          confidence: v.confidence,
          rule: `${origin.id}:values[${v.i}]`,
          evidence: `${matched} of ${sampled.length} sampled values match ${origin.label} pattern /${v.pattern}/`,
          matched,
          sampled: sampled.length,
        });
      }
      return out;
    },
  };
  return [nameDetector, valueDetector];
}
