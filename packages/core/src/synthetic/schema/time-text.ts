/** Date and timestamp literals: their milliseconds and the ISO text forms generated values take. */

export const DAY = 86_400_000;

/** Milliseconds of a date or timestamp literal ('2024-01-01', '2022-03-01 00:00:00+01'). */
export function toMs(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
  if (!m) return Date.parse(text);
  let zone = m[3] ?? 'Z';
  if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
}

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const isoTimestamp = (ms: number) => {
  const s = new Date(ms).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
};
