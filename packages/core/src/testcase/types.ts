import { z } from 'zod';

/** Formats the analyser recognises; `UNKNOWN` text yields no entities. */
export const TEST_CASE_FORMATS = ['GHERKIN', 'CYPRESS', 'PLAYWRIGHT', 'SELENIUM_JAVA', 'SELENIUM_PYTHON', 'UNKNOWN'] as const;
export const TestCaseFormat = z.enum(TEST_CASE_FORMATS);
export type TestCaseFormat = z.infer<typeof TestCaseFormat>;

/** Semantic field types the synthetic generators understand; `string` when nothing more is known. */
export const FIELD_TYPES = ['string', 'email', 'phone', 'date', 'datetime', 'number', 'boolean', 'password', 'url', 'postal_code', 'credit_card'] as const;
export const FieldType = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldType>;

/** One field a test case fills in or checks, with what the text says about it. */
export const TestCaseField = z.object({
  /** snake_case */
  name: z.string(),
  type: FieldType,
  /** `required`, `unique`, `min_length:8`, `max_length:255`, `valid_format` */
  constraints: z.array(z.string()),
  exampleValues: z.array(z.string()),
  /** Where the field first appears (1-based line of the test-case text). */
  source: z.object({ line: z.number().int().positive() }),
});
export type TestCaseField = z.infer<typeof TestCaseField>;

/** A record kind (`user`, `address`, `order`, `payment`, …) and its fields in order of appearance. */
export const TestCaseEntity = z.object({ name: z.string(), fields: z.array(TestCaseField) });
export type TestCaseEntity = z.infer<typeof TestCaseEntity>;

export const TestCaseAnalysis = z.object({ format: TestCaseFormat, entities: z.array(TestCaseEntity) });
/** What a test case tells about the data it needs: its format and the entities and fields it fills in. */
export type TestCaseAnalysis = z.infer<typeof TestCaseAnalysis>;
