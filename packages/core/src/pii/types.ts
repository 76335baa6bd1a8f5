/**
 * PII detection vocabulary. Detectors are registered one per file; each looks at a column (its name,
 * type, and a sample of values) and returns signals; `combine` turns them into one classification.
 */
import type { z } from 'zod';
import type { TypeKind } from '../catalog/types.ts';

import type { PiiCategory, PiiType } from './taxonomy.ts';

export { PII_CATEGORIES, PII_TYPES, type PiiCategory, type PiiType } from './taxonomy.ts';

/** What the rest of the table says about a column: its neighbours and the foreign keys around it. */
export interface TableContext {
  /** Names of every column of the table, in order. */
  columns: string[];
  /** Tables this table references, with the referencing column names. */
  references: { table: string; columns: string[] }[];
  /** Tables that reference this one, with their referencing column names (`manager_id`, `mentor_person_id`). */
  referencedBy: { table: string; columns: string[] }[];
}

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
  /** For a composite type or an array of one: its attribute names (`vitals` → systolic, diastolic, pulse). */
  attributes?: string[];
  /** The table around the column; absent when only the column is known. */
  context?: TableContext;
}

export interface PiiSignal {
  detector: string;
  piiType: PiiType;
  /** 0..1 */
  confidence: number;
  /** Human-readable: which rule fired (never a sampled value). */
  evidence: string;
  /** Machine-readable id of the rule within the detector (`name:email`, `value:luhn`, `context:person-table`). */
  rule?: string;
  /** Sampled values the rule accepted, and how many were looked at (value rules only). */
  matched?: number;
  sampled?: number;
}

export interface PiiDetector {
  name: string;
  description: string;
  kind: 'name' | 'value' | 'context' | 'llm';
  detect(column: ColumnSample): PiiSignal[] | Promise<PiiSignal[]>;
}

export interface PiiClassificationResult {
  schema: string;
  table: string;
  column: string;
  piiType: PiiType;
  /** The taxonomy category of `piiType` (taxonomy.ts). */
  category: PiiCategory;
  confidence: number;
  /** Recommended transformer name (see mask/transformers). */
  technique: string;
  evidence: PiiSignal[];
  source: 'DETECTED' | 'LLM' | 'OVERRIDE';
}

export type DetectorParams = z.ZodTypeAny;
