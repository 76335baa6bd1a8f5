/**
 * PII detection vocabulary. Detectors are registered one per file; each looks at a column (its name,
 * type, and a sample of values) and returns signals; `combine` turns them into one classification.
 */
import type { z } from 'zod';
import type { TypeKind } from '../catalog/types.ts';

export const PII_TYPES = [
  'EMAIL',
  'PHONE',
  'FIRST_NAME',
  'LAST_NAME',
  'FULL_NAME',
  'USERNAME',
  'PASSWORD',
  'DATE_OF_BIRTH',
  'NATIONAL_ID',
  'TAX_ID',
  'PASSPORT',
  'DRIVER_LICENSE',
  'ADDRESS',
  'STREET',
  'CITY',
  'POSTAL_CODE',
  'COUNTRY',
  'IBAN',
  'BANK_ACCOUNT',
  'CREDIT_CARD',
  'IP_ADDRESS',
  'SALARY',
  'GENDER',
  'GEO_LOCATION',
  'FREE_TEXT_PERSONAL',
  'PHOTO',
  'NONE',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

export interface ColumnSample {
  schema: string;
  table: string;
  column: string;
  /** format_type() text, e.g. "character varying(50)", "integer", "date". */
  dataType: string;
  /** True when the column is (part of) the table's primary key or a foreign key. */
  isKey: boolean;
  /** Up to N non-null sampled values as PostgreSQL text. */
  values: string[];
  /** For a domain, the format_type() of the base type it resolves to (`public.year` → "integer"). */
  baseType?: string;
  /** Catalog type kind (enum, domain, array…); absent means 'base'. */
  typeKind?: TypeKind;
}

export interface PiiSignal {
  detector: string;
  piiType: PiiType;
  /** 0..1 */
  confidence: number;
  /** Human-readable: which rule fired (never a sampled value). */
  evidence: string;
}

export interface PiiDetector {
  name: string;
  description: string;
  kind: 'name' | 'value' | 'llm';
  detect(column: ColumnSample): PiiSignal[] | Promise<PiiSignal[]>;
}

export interface PiiClassificationResult {
  schema: string;
  table: string;
  column: string;
  piiType: PiiType;
  confidence: number;
  /** Recommended transformer name (see mask/transformers). */
  technique: string;
  evidence: PiiSignal[];
  source: 'DETECTED' | 'LLM' | 'OVERRIDE';
}

export type DetectorParams = z.ZodTypeAny;
