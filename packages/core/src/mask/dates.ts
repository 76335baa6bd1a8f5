/**
 * PostgreSQL date/timestamp text (`1984-07-12`, `2024-03-01 12:34:56.123456`,
 * `2024-03-01 12:34:56+05:30`, `0044-03-15 BC`) split into a calendar date and the untouched rest,
 * and proleptic-Gregorian day arithmetic that works for every year (Date.UTC maps years 0–99 to 19xx).
 */
const DATE_TEXT = /^(\d{4,})-(\d{2})-(\d{2})((?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?)?(?: BC)?)$/;

export interface DateText {
  /** Astronomical year: 1 BC is 0, 2 BC is -1. */
  year: number;
  month: number;
  day: number;
  /** Everything after the date: time, fraction, offset, ` BC`. */
  rest: string;
}

export function isInfinity(value: string): boolean {
  return value === 'infinity' || value === '-infinity';
}

export function parseDateText(value: string): DateText | undefined {
  const m = DATE_TEXT.exec(value.trim());
  if (!m) return undefined;
  const rest = m[4] ?? '';
  const bc = rest.endsWith(' BC');
  const y = Number(m[1]);
  const date = { year: bc ? 1 - y : y, month: Number(m[2]), day: Number(m[3]), rest };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) return undefined;
  return date;
}

/** Formats a date back with the year the way PostgreSQL prints it (4+ digits, BC as a suffix already in `rest`). */
export function formatDate(year: number, month: number, day: number, rest = ''): string {
  const bc = rest.endsWith(' BC');
  const y = bc ? 1 - year : year;
  return `${String(y).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}${rest}`;
}

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Days since 1970-01-01 (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z0: number): { year: number; month: number; day: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
