/**
 * Context rules: what a column holds because of the table it is in and the tables around it, when
 * its own name says little. An `amount` in `payroll` or `wages` is pay; a `value` or `result` in
 * `vitals` or `lab_results` of a patient is health data; the `name`, `code` or `description` of a
 * row in `diagnoses`, `allergies` or `prescriptions` that belongs to a person is that person's
 * diagnosis, allergy or medication. Works without sampled values.
 */
import { z } from 'zod';
import { registerDetector } from '../registry.ts';
import { isEmploymentTable, isHealthTable, isPlaceTable, personEvidence } from '../table-meaning.ts';
import { singularForms, tokenize } from '../tokens.ts';
import type { ColumnSample, PiiSignal, PiiType } from '../types.ts';

const PAY_TABLE = new Set([
  'pay',
  'payroll',
  'payslip',
  'paycheck',
  'paystub',
  'wage',
  'salary',
  'salarie',
  'compensation',
  'bonus',
  'gehalt',
  'lohn',
  'salaire',
  'nomina',
  'salaris',
]);
const MONEY_COLUMN = new Set(['rate', 'amount', 'gross', 'net', 'total', 'value', 'sum', 'base', 'paid', 'betrag', 'montant', 'importe', 'valor', 'bedrag']);
const MEASUREMENT_COLUMN = new Set([
  'value',
  'result',
  'reading',
  'measurement',
  'measure',
  'level',
  'quantity',
  'numeric',
  'wert',
  'valeur',
  'resultado',
  'waarde',
]);
const DESCRIPTIVE_COLUMN = new Set(['name', 'code', 'description', 'label', 'title', 'substance', 'reaction', 'severity', 'notes', 'text', 'display']);
/** Table words → the health type their descriptive columns hold. */
const HEALTH_TOPIC: [Set<string>, PiiType][] = [
  [
    new Set([
      'diagnosis',
      'diagnose',
      'condition',
      'disease',
      'problem',
      'allergy',
      'allergie',
      'symptom',
      'disability',
      'illness',
      'encounter',
      'admission',
      'procedure',
      'careplan',
    ]),
    'HEALTH_CONDITION',
  ],
  [new Set(['medication', 'prescription', 'drug', 'immunization', 'vaccination', 'vaccine', 'treatment', 'therapy', 'dosage']), 'MEDICATION'],
  [new Set(['vital', 'observation', 'lab', 'labresult', 'measurement', 'bloodtest', 'test']), 'VITAL_SIGN'],
];
/** Columns that tie a row to a person even without a declared foreign key. */
const PERSON_LINK = /(^|_)(patient|person|member|employee|customer|user|client|subject|resident|insured)(_?(id|no|number|key))?$/i;

const words = (name: string) => {
  const tokens = tokenize(name);
  return [...tokens.flatMap(singularForms), tokens.join('')];
};

/** Whether rows of the table belong to a person: a foreign key to a table about people, or a person-id column. */
function belongsToPerson(column: ColumnSample): string | null {
  const ctx = column.context;
  if (!ctx) return null;
  for (const ref of ctx.references) if (personEvidence({ table: ref.table }).person) return `references ${ref.table}`;
  const link = ctx.columns.find((c) => PERSON_LINK.test(c));
  return link ? `has ${link}` : null;
}

/** The context signals for one column (exported for tests). */
export function contextSignals(column: ColumnSample): PiiSignal[] {
  if (column.isKey || isPlaceTable(column.table)) return [];
  const tableWords = words(column.table);
  const colWords = tokenize(column.column);
  // `reaction1`, `description2`: the head word is the last one that is not a number.
  const head = colWords.filter((w) => !/^\d+$/.test(w)).at(-1) ?? '';
  const out: PiiSignal[] = [];
  const signal = (piiType: PiiType, confidence: number, rule: string, evidence: string) =>
    out.push({ detector: 'context', piiType, confidence, rule: `context:${rule}`, evidence });

  if (MONEY_COLUMN.has(head) && tableWords.some((w) => PAY_TABLE.has(w))) {
    signal('SALARY', 0.7, 'pay-table', `"${column.column}" of a pay table ("${column.table}") is a person's pay`);
  }
  if (isHealthTable(column.table)) {
    const owner = belongsToPerson(column) ?? (personEvidence(column).person ? 'is about people' : null);
    const topic = HEALTH_TOPIC.find(([set]) => tableWords.some((w) => set.has(w)));
    if (owner && topic && (DESCRIPTIVE_COLUMN.has(head) || MEASUREMENT_COLUMN.has(head))) {
      const type = topic[1] === 'VITAL_SIGN' && DESCRIPTIVE_COLUMN.has(head) ? 'HEALTH_CONDITION' : topic[1];
      signal(type, 0.65, 'health-table', `"${column.column}" of "${column.table}", whose rows belong to a person (${owner}), is health data`);
    } else if (owner && MEASUREMENT_COLUMN.has(head)) {
      signal('VITAL_SIGN', 0.6, 'health-table', `"${column.column}" of "${column.table}" (${owner}) is a health measurement`);
    }
  }
  if (isEmploymentTable(column.table) && ['score', 'rating', 'grade', 'result'].includes(head) && belongsToPerson(column) !== null) {
    signal('PERFORMANCE_RATING', 0.6, 'evaluation', `"${column.column}" of "${column.table}" rates a person`);
  }
  return out;
}

registerDetector({
  name: 'context',
  description:
    'Table meaning and neighbours: pay amounts in payroll tables, measurements and descriptions in health tables of a person, ratings in evaluations.',
  kind: 'context',
  params: z.object({}),
  appliesTo: 'any',
  deterministic: true,
  create: () => ({ name: 'context', description: 'Table meaning and neighbours', kind: 'context', detect: contextSignals }),
});
