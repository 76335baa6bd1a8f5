/**
 * What a table's rows are, from its name and, when the catalog is at hand, from its neighbours: a
 * table named `pilots` or `crew` is about people because it has a birth date, an e-mail or a phone
 * beside its `name`, or because other tables point at it through `manager_id`, `mentor_id` or
 * `*_person_id`. The name rules and the value rules ask this module before they read a bare `name`,
 * `city` or `rating` as personal.
 */
import { isAddressTable, isPersonTable, singularForms, tokenize } from './tokens.ts';
import type { ColumnSample, TableContext } from './types.ts';

/** Columns that only a table about people has (checked on the run of tokens, `birth_date` → "birthdate"). */
const PERSON_ATTRIBUTES = new Set([
  'email',
  'emailaddress',
  'phone',
  'phonenumber',
  'mobile',
  'telephone',
  'birthdate',
  'dateofbirth',
  'dob',
  'birthday',
  'firstname',
  'lastname',
  'surname',
  'givenname',
  'familyname',
  'middlename',
  'gender',
  'sex',
  'ssn',
  'nationality',
  'maritalstatus',
  'hiredate',
  'salary',
  'vorname',
  'nachname',
  'geburtsdatum',
  'prenom',
  'datenaissance',
  'apellido',
  'fechanacimiento',
  'voornaam',
  'achternaam',
  'geboortedatum',
  'sobrenome',
  'datanascimento',
]);

/** FK column words that name a person's role (`manager_id`, `mentor_person_id`, `reports_to`). */
const PERSON_ROLE_WORDS = new Set([
  'person',
  'people',
  'manager',
  'mentor',
  'mentee',
  'supervisor',
  'reportsto',
  'owner',
  'author',
  'assignee',
  'reporter',
  'reviewer',
  'approver',
  'employee',
  'customer',
  'patient',
  'doctor',
  'physician',
  'nurse',
  'teacher',
  'student',
  'pilot',
  'copilot',
  'captain',
  'driver',
  'passenger',
  'guardian',
  'spouse',
  'contact',
  'member',
  'user',
  'staff',
  'coach',
  'player',
  'recruiter',
  'candidate',
  'applicant',
  'beneficiary',
  'insured',
  'policyholder',
]);

/** Tables of reference data about places: their `name`, `region`, `district` columns describe places, not people. */
const PLACE_TABLE_WORDS = new Set([
  'country',
  'countries',
  'city',
  'region',
  'state',
  'province',
  'district',
  'continent',
  'territory',
  'location',
  'place',
  'airport',
  'timezone',
  'language',
  'countrylanguage',
  'currency',
]);

/** Tables about care: their `weight`, `temperature`, `condition` columns are a patient's health data. */
const HEALTH_TABLE_WORDS = new Set([
  'patient',
  'encounter',
  'visit',
  'admission',
  'appointment',
  'observation',
  'vital',
  'vitals',
  'lab',
  'labresult',
  'prescription',
  'medical',
  'medication',
  'clinical',
  'diagnosis',
  'diagnose',
  'treatment',
  'health',
  'immunization',
  'vaccination',
  'allergy',
  'condition',
  'procedure',
  'claim',
  'ehr',
  'emr',
]);

/** Tables about employment: their `amount`, `rating`, `score` columns are pay or evaluations of a person. */
const EMPLOYMENT_TABLE_WORDS = new Set([
  'employee',
  'staff',
  'worker',
  'personnel',
  'payroll',
  'payslip',
  'paycheck',
  'wage',
  'wages',
  'salary',
  'salaries',
  'compensation',
  'bonus',
  'appraisal',
  'evaluation',
  'performance',
  'hr',
  'mitarbeiter',
  'gehalt',
  'lohn',
  'employe',
  'salaire',
  'empleado',
  'nomina',
  'medewerker',
  'salaris',
  'funcionario',
]);

function tableWords(table: string): string[] {
  const tokens = tokenize(table);
  return [...tokens.flatMap(singularForms), tokens.join('')];
}
const tableHas = (table: string, words: Set<string>) => tableWords(table).some((w) => words.has(w));

/** Tables of machine-written records: their `message`, `details`, `notes` are written by programs, not people. */
const MACHINE_TABLE_WORDS = new Set([
  'log',
  'logs',
  'event',
  'audit',
  'job',
  'queue',
  'error',
  'exception',
  'migration',
  'metric',
  'trace',
  'webhook',
  'template',
  'schema',
  'setting',
  'config',
  'configuration',
  'translation',
  'i18n',
  'locale',
]);

/** The table holds records written by programs (logs, events, queues, templates, settings). */
export const isMachineTable = (table: string): boolean => tableHas(table, MACHINE_TABLE_WORDS);

/** The table holds reference data about places (country, city, region lookups). */
export const isPlaceTable = (table: string): boolean => tableHas(table, PLACE_TABLE_WORDS) && !isPersonTable(table);

/** The table is about care given to people. */
export const isHealthTable = (table: string): boolean => tableHas(table, HEALTH_TABLE_WORDS);

/** The table is about employees, their pay or their evaluations. */
export const isEmploymentTable = (table: string): boolean => tableHas(table, EMPLOYMENT_TABLE_WORDS);

export interface PersonEvidence {
  person: boolean;
  /** Why (for evidence strings); empty when `person` is false. */
  reason: string;
}

/**
 * Whether the rows of the column's table are people: by the table's name, else by its columns (two
 * person attributes such as an e-mail and a birth date), else by foreign keys naming a person role.
 */
export function personEvidence(column: Pick<ColumnSample, 'table' | 'context'>): PersonEvidence {
  if (isPersonTable(column.table)) return { person: true, reason: `table "${column.table}" is about people` };
  const ctx: TableContext | undefined = column.context;
  if (!ctx || isPlaceTable(column.table)) return { person: false, reason: '' };
  const attributes = ctx.columns.filter((c) => {
    const run = tokenize(c).join('');
    return PERSON_ATTRIBUTES.has(run) || [...PERSON_ATTRIBUTES].some((a) => a.length >= 5 && run.endsWith(a));
  });
  if (attributes.length >= 2 || (attributes.length === 1 && ctx.columns.length <= 6)) {
    return { person: true, reason: `table has person attributes (${attributes.slice(0, 3).join(', ')})` };
  }
  const roles = ctx.referencedBy.flatMap((r) => r.columns).filter((c) => tokenize(c).some((t) => PERSON_ROLE_WORDS.has(t)));
  if (roles.length > 0) return { person: true, reason: `referenced as a person (${roles.slice(0, 3).join(', ')})` };
  return { person: false, reason: '' };
}

/** Person-like, or a table of addresses or documents that carry one (orders, invoices). */
export const isPlaceOfPerson = (column: Pick<ColumnSample, 'table' | 'context'>): boolean =>
  !isPlaceTable(column.table) && (isAddressTable(column.table) || personEvidence(column).person);
