// Pure helpers of the synthetic data page: the form's mode in the URL, the mutation's input, and a
// cell of a previewed row (rows are the dataset's own data, keyed by its column names).
import type { VariablesOf } from 'gql.tada';
import type { GenerateSyntheticMutation } from './graphql';

export type GenerateInput = VariablesOf<typeof GenerateSyntheticMutation>['input'];
export type SyntheticMode = GenerateInput['mode'];

export interface ModeOption {
  mode: SyntheticMode;
  /** The value of `?mode=`. */
  param: string;
  label: string;
  hint: string;
}

export const MODE_OPTIONS: readonly ModeOption[] = [
  { mode: 'DOMAIN', param: 'domain', label: 'Domain pack', hint: 'A business domain’s tables' },
  { mode: 'TEST_CASE', param: 'test-case', label: 'Test case', hint: 'The fields a test fills in' },
  { mode: 'URL', param: 'url', label: 'Web forms', hint: 'The forms of crawled pages' },
  { mode: 'SCHEMA', param: 'schema', label: 'Discovered schema', hint: 'Every table of a schema version' },
];

/** `?mode=` → the mode; DOMAIN when absent or unknown. */
export function modeFromParam(param: string | null): SyntheticMode {
  return MODE_OPTIONS.find((o) => o.param === param?.trim().toLowerCase())?.mode ?? 'DOMAIN';
}

export function paramOfMode(mode: SyntheticMode): string {
  return MODE_OPTIONS.find((o) => o.mode === mode)?.param ?? 'domain';
}

/** One URL per line; blank lines and `#` comments dropped, duplicates dropped, order kept. */
export function parseUrls(text: string): string[] {
  const urls = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  return [...new Set(urls)];
}

export interface GenerateForm {
  mode: SyntheticMode;
  domain: string;
  scenario: string;
  testCaseContent: string;
  testCaseFileName: string;
  urlsText: string;
  schemaVersionId: string;
  /** Rows per table; a number input gives null or undefined when empty. */
  rows: number | null | undefined;
  seed: number | null | undefined;
}

/**
 * The `generateSynthetic` input for the form: only the chosen mode's fields, rows as
 * `{"*": n}` (absent when not a positive whole number: the server's default then applies).
 */
export function buildGenerateInput(form: GenerateForm): GenerateInput {
  const input: GenerateInput = { mode: form.mode };
  if (form.mode === 'DOMAIN') {
    input.domain = form.domain;
    if (form.scenario) input.scenario = form.scenario;
  } else if (form.mode === 'TEST_CASE') {
    input.testCaseContent = form.testCaseContent;
    const fileName = form.testCaseFileName.trim();
    if (fileName) input.testCaseFileName = fileName;
  } else if (form.mode === 'URL') {
    input.testCaseUrls = parseUrls(form.urlsText);
  } else {
    input.schemaVersionId = form.schemaVersionId;
  }
  if (form.rows != null && Number.isInteger(form.rows) && form.rows > 0) input.rowCounts = { '*': form.rows };
  if (form.seed != null && Number.isInteger(form.seed)) input.seed = form.seed;
  return input;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value of `column` in a previewed row (a JSON object); undefined when the row has none. */
export function cellOf(row: unknown, column: string): unknown {
  return isRecord(row) ? row[column] : undefined;
}
