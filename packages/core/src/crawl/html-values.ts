/**
 * The value formats and validity rules of HTML form controls, outside the browser: parsing and
 * printing dates, months, weeks, times and local date-times as the number of units their `step` counts
 * (days, months, weeks, milliseconds), the "valid e-mail address" grammar, `pattern` compiled as the
 * browser compiles it, and a check of a text value against a control's constraints. The URL mode's
 * generator uses them to make values that the form's own `checkValidity()` accepts.
 */
import type { CrawledField } from './types.ts';

const DAY_MS = 86_400_000;

/** The HTML spec's "valid e-mail address" (what type=email checks). */
export const HTML_EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Input types whose `pattern`, `minlength` and `maxlength` apply (plus textarea for the lengths). */
export const TEXT_TYPES = new Set(['text', 'search', 'tel', 'url', 'email', 'password']);

/**
 * `pattern` as the browser uses it: the whole value must match, compiled with the `v` flag. Null
 * when there is none or it does not compile (the browser then ignores it too).
 */
export function compilePattern(pattern: string | null): RegExp | null {
  if (pattern === null) return null;
  try {
    return new RegExp(`^(?:${pattern})$`, 'v');
  } catch {
    return null;
  }
}

/** An HTML "valid floating-point number", or null. */
export function parseHtmlNumber(text: string | null): number | null {
  if (text === null || !/^-?(?:\d+|\d*\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Decimal places written in a number's text ("0.25" → 2, "1e-3" → 3). */
export function decimalsOf(n: number): number {
  if (Number.isInteger(n)) return 0;
  const [mantissa = '', exponent] = n.toExponential().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/**
 * A temporal input type's arithmetic: values are whole numbers of `unit`s since the type's zero
 * (1970-01-01, 1970-01, the week of 1970-01-01, midnight), `step` attributes count `stepUnit`s of
 * them, and `defaultStep` applies without one.
 */
export interface TemporalType {
  parse(text: string): number | null;
  format(value: number): string;
  /** Units per step attribute unit (ms per second for time, 1 for days…). */
  stepScale: number;
  defaultStep: number;
  /** The step base without a `min` or `value` (in units). */
  defaultBase: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function utcDays(y: number, m: number, d: number): number | null {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return Math.round(date.getTime() / DAY_MS);
}

function ymd(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function parseTimeOfDay(text: string): number | null {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text);
  if (!m) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return null;
  return ((h * 60 + min) * 60 + s) * 1000 + Number((m[4] ?? '').padEnd(3, '0'));
}

function formatTimeOfDay(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const min = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const frac = ms % 1000;
  if (s === 0 && frac === 0) return `${pad(h)}:${pad(min)}`;
  return frac === 0 ? `${pad(h)}:${pad(min)}:${pad(s)}` : `${pad(h)}:${pad(min)}:${pad(s)}.${pad(frac, 3)}`;
}

/** Monday of ISO week 1 of `year`, in days since 1970-01-01. */
function isoWeekOneMonday(year: number): number {
  const jan4 = utcDays(year, 1, 4) as number;
  const weekday = (new Date(jan4 * DAY_MS).getUTCDay() + 6) % 7;
  return jan4 - weekday;
}

// Week 0 is the week of 1970-01-01, which began on Monday 1969-12-29 (3 days earlier).
const weekIndexOfMonday = (mondayDays: number) => Math.round((mondayDays + 3) / 7);

export const TEMPORAL: Record<'date' | 'month' | 'week' | 'time' | 'datetime-local', TemporalType> = {
  date: {
    parse(text) {
      const m = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(text);
      return m ? utcDays(Number(m[1]), Number(m[2]), Number(m[3])) : null;
    },
    format: (days) => ymd(days * DAY_MS),
    stepScale: 1,
    defaultStep: 1,
    defaultBase: 0,
  },
  month: {
    parse(text) {
      const m = /^(\d{4,})-(\d{2})$/.exec(text);
      if (!m) return null;
      const month = Number(m[2]);
      return month >= 1 && month <= 12 ? (Number(m[1]) - 1970) * 12 + month - 1 : null;
    },
    format: (months) => `${pad(1970 + Math.floor(months / 12), 4)}-${pad((((months % 12) + 12) % 12) + 1)}`,
    stepScale: 1,
    defaultStep: 1,
    defaultBase: 0,
  },
  week: {
    parse(text) {
      const m = /^(\d{4,})-W(\d{2})$/.exec(text);
      if (!m) return null;
      const year = Number(m[1]);
      const week = Number(m[2]);
      const weeks = (isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / 7;
      if (week < 1 || week > weeks) return null;
      return weekIndexOfMonday(isoWeekOneMonday(year) + (week - 1) * 7);
    },
    format(index) {
      const monday = index * 7 - 3;
      const year = new Date((monday + 3) * DAY_MS).getUTCFullYear();
      const week = 1 + (monday - isoWeekOneMonday(year)) / 7;
      return `${pad(year, 4)}-W${pad(week)}`;
    },
    stepScale: 1,
    defaultStep: 1,
    defaultBase: 0,
  },
  time: {
    parse: parseTimeOfDay,
    format: formatTimeOfDay,
    stepScale: 1000,
    defaultStep: 60,
    defaultBase: 0,
  },
  'datetime-local': {
    parse(text) {
      const m = /^(\d{4,})-(\d{2})-(\d{2})[T ](.+)$/.exec(text);
      if (!m) return null;
      const days = utcDays(Number(m[1]), Number(m[2]), Number(m[3]));
      const time = parseTimeOfDay(m[4] as string);
      return days === null || time === null ? null : days * DAY_MS + time;
    },
    format(ms) {
      const days = Math.floor(ms / DAY_MS);
      return `${ymd(days * DAY_MS)}T${formatTimeOfDay(ms - days * DAY_MS)}`;
    },
    stepScale: 1000,
    defaultStep: 60,
    defaultBase: 0,
  },
};

/**
 * Why a text value would fail the control's validation (null when it passes): line breaks in a
 * single-line input, the type's syntax (email, url), minlength/maxlength (UTF-16 code units, as
 * the browser counts) and `pattern`. Empty values are the caller's business (required).
 */
export function textValueProblem(field: CrawledField, value: string, pattern: RegExp | null = compilePattern(field.pattern)): string | null {
  const textual = TEXT_TYPES.has(field.type) || field.type === 'textarea';
  if (field.type !== 'textarea' && /[\r\n]/.test(value)) return 'line break in a single-line input';
  const values = field.type === 'email' && field.multiple ? value.split(',') : [value];
  for (const v of values) {
    if (field.type === 'email' && !HTML_EMAIL.test(v)) return 'not an e-mail address';
    if (field.type === 'url' && !URL.canParse(v)) return 'not an absolute URL';
    if (pattern && field.type !== 'textarea' && !pattern.test(v)) return `does not match the pattern ${field.pattern}`;
  }
  if (textual && field.maxLength !== null && value.length > field.maxLength) return `longer than maxlength ${field.maxLength}`;
  if (textual && field.minLength !== null && value.length > 0 && value.length < field.minLength) return `shorter than minlength ${field.minLength}`;
  return null;
}
