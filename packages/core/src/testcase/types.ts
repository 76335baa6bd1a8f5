import { z } from 'zod';

/** Formats the analyser recognises; `UNKNOWN` text yields no entities. */
export const TEST_CASE_FORMATS = [
  'GHERKIN',
  'CYPRESS',
  'PLAYWRIGHT',
  'PLAYWRIGHT_PYTHON',
  'PLAYWRIGHT_JAVA',
  'PLAYWRIGHT_DOTNET',
  'SELENIUM_JAVA',
  'SELENIUM_PYTHON',
  'SELENIUM_CSHARP',
  'WEBDRIVERIO',
  'TESTCAFE',
  'NIGHTWATCH',
  'ROBOT',
  'CAPYBARA',
  'UNKNOWN',
] as const;
export const TestCaseFormat = z.enum(TEST_CASE_FORMATS);
export type TestCaseFormat = z.infer<typeof TestCaseFormat>;

/**
 * Semantic field types the synthetic generators understand; `string` when nothing more is known.
 * `number` is kept for callers of the first version; the analyser says `integer` or `decimal`.
 * `enum` is a choice from a list (a select, a radio group), `text` free prose (a bio, a body).
 */
export const FIELD_TYPES = [
  'string',
  'email',
  'phone',
  'date',
  'datetime',
  'time',
  'number',
  'integer',
  'decimal',
  'boolean',
  'password',
  'url',
  'postal_code',
  'credit_card',
  'enum',
  'text',
] as const;
export const FieldType = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldType>;

/** One field a test case fills in or checks, with what the text says about it. */
export const TestCaseField = z.object({
  /** snake_case */
  name: z.string(),
  type: FieldType,
  /**
   * `required`, `unique`, `min_length:8`, `max_length:255`, `min:1`, `max:10`, `pattern:^\d{5}$`,
   * `enum:a|b|c`, `valid_format`; from what the text says and from the shape of the example values.
   */
  constraints: z.array(z.string()),
  exampleValues: z.array(z.string()),
  /** Where the field first appears: the 1-based line of the test-case text and that line's text (the step or call). */
  source: z.object({ line: z.number().int().positive(), text: z.string().optional() }),
  /**
   * How sure the analysis is that this is a field the test fills in, from 0 to 1: higher when a value
   * was seen, the type is specific, and the field was seen more than once.
   */
  confidence: z.number().min(0).max(1).optional(),
});
export type TestCaseField = z.infer<typeof TestCaseField>;

/**
 * A record kind (`user`, `customer`, `address`, `order`, `payment`, `product`, …) and its fields in
 * order of appearance. `exampleRows` holds the values that appear together — one scenario, one
 * Examples row of an outline, one row of a record table, one test — keyed by field name, so a
 * generator can keep them as one row.
 */
export const TestCaseEntity = z.object({
  name: z.string(),
  fields: z.array(TestCaseField),
  exampleRows: z.array(z.record(z.string(), z.string())),
});
export type TestCaseEntity = z.infer<typeof TestCaseEntity>;

export const TestCaseAnalysis = z.object({
  format: TestCaseFormat,
  entities: z.array(TestCaseEntity),
  /** The natural language of a Gherkin text (`en`, `de`, `fr` …); the programming language of code. */
  language: z.string().optional(),
  /**
   * Whether the test needs data made for it: it fills in or expects record fields. `false` for a test
   * that only navigates or checks static text.
   */
  needsSyntheticData: z.boolean().optional(),
  /** Why the analysis found nothing (binary input, too large, unknown format, no field filled in). */
  reason: z.string().optional(),
});
/** What a test case tells about the data it needs: its format and the entities and fields it fills in. */
export type TestCaseAnalysis = z.infer<typeof TestCaseAnalysis>;
