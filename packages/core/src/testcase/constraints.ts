/**
 * Constraints a test case states or implies: from validation messages and assertions (`Username is
 * required`, `Must contain at least 5 characters`, `the email is already used`) and from the shape of
 * the example values (`pattern:^\d{5}$`, `min:1`/`max:10`, `enum:a|b`).
 */
import type { FieldType } from './types.ts';

const N = String.raw`(?<n>\d+)`;
const UNIT = String.raw`(?:char\w*|letters?|digits?|numbers?|symbols?|signs?)`;

// Each rule reads the message after its field (`… is required`) or a whole message (`Must contain …`).
const MESSAGE_RULES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [
    /\b(?:is|are)\s+(?:a\s+)?(?:required|mandatory)\b|\b(?:needs?|has|have)\s+to\s+be\s+(?:specified|filled|provided|given)\b|\bmust\s+be\s+(?:specified|filled|provided|given)\b|\b(?:can(?:no|')t|must\s+not|should\s+not)\s+be\s+(?:blank|empty)\b|\bplease\s+(?:enter|provide|fill)\b|^enter\s+(?:a|an|your)\b/i,
    () => 'required',
  ],
  [
    /\b(?:is|has\s+been|was|are)\s+already\s+(?:used|taken|in\s+use|registered|exists?|been\s+taken)\b|\b(?:has|have)\s+already\s+been\s+(?:taken|used|registered)\b|\balready\s+exists?\b|\bmust\s+be\s+unique\b/i,
    () => 'unique',
  ],
  [new RegExp(String.raw`\b(?:at\s+least|minimum(?:\s+of)?|min\.?|no\s+(?:less|fewer)\s+than)\s+${N}\s+${UNIT}`, 'i'), (m) => `min_length:${m.groups?.n}`],
  [
    new RegExp(String.raw`\b(?:at\s+most|maximum(?:\s+of)?|max\.?|no\s+more\s+than|up\s+to|longer\s+than|more\s+than|exceed)\s+${N}\s+${UNIT}`, 'i'),
    (m) => `max_length:${m.groups?.n}`,
  ],
  [new RegExp(String.raw`\b(?:exactly|must\s+(?:be|contain|have))\s+${N}\s+${UNIT}`, 'i'), (m) => `length:${m.groups?.n}`],
  [/\bbetween\s+(?<lo>\d+)\s+and\s+(?<hi>\d+)\s+char/i, (m) => `min_length:${m.groups?.lo},max_length:${m.groups?.hi}`],
  [/\b(?:greater\s+than\s+or\s+equal\s+to|at\s+least|minimum(?:\s+of)?|no\s+less\s+than)\s+(?<v>-?\d+(?:\.\d+)?)\s*$/i, (m) => `min:${m.groups?.v}`],
  [/\b(?:less\s+than\s+or\s+equal\s+to|at\s+most|maximum(?:\s+of)?|no\s+more\s+than)\s+(?<v>-?\d+(?:\.\d+)?)\s*$/i, (m) => `max:${m.groups?.v}`],
  [/\bis\s+too\s+long\b/i, () => 'max_length'],
  [/\bis\s+too\s+short\b/i, () => 'min_length'],
  [/\b(?:is|are)\s+(?:invalid|not\s+valid)\b|\b(?:must|should)\s+(?:contain|be)\s+(?:a\s+)?valid\b|\bnot\s+a\s+valid\b/i, () => 'valid_format'],
];

/** The constraints a validation message states (`Must contain at least 5 characters` → `min_length:5`). */
export function constraintsFromMessage(message: string): string[] {
  const out: string[] = [];
  for (const [re, make] of MESSAGE_RULES) {
    const m = re.exec(message);
    if (!m) continue;
    for (const c of make(m).split(',')) {
      // `length:N` is a min and a max at once.
      const exact = /^length:(\d+)$/.exec(c);
      if (exact) out.push(`min_length:${exact[1]}`, `max_length:${exact[1]}`);
      else out.push(c);
    }
  }
  // A bare `min_length` adds nothing next to `min_length:N`.
  return [...new Set(out)].filter((c) => !(/^(?:min|max)_length$/.test(c) && out.some((o) => o.startsWith(`${c}:`))));
}

// A message that names its field first: `Username is required`, `First Name must be …`, `the email is already used`.
const FIELD_FIRST =
  /^(?:the\s+|your\s+|my\s+|this\s+)?"?(?<field>[a-z][a-z0-9 \-_]{0,40}?)"?(?:\s+field)?\s+(?=is\b|are\b|must\b|should\b|needs?\b|has\b|have\b|can(?:no|')t\b|does\b|was\b)/i;
const NOT_FIELDS =
  /^(?:i|we|you|he|she|they|it|this|that|there|which|page|form|order|cart|product|address|account|user|customer|store|everything|something|all|one|each|item)$/i;

/** The field a message names first and what it says of it; `undefined` when it names none. */
export function fieldConstraintFromMessage(message: string): { field: string; constraints: string[] } | undefined {
  const clause = message.trim().replace(/^.*\bthat\s+/i, '');
  const m = FIELD_FIRST.exec(clause);
  const field = m?.groups?.field?.trim();
  if (!field || NOT_FIELDS.test(field) || field.split(/\s+/).length > 4) return undefined;
  const constraints = constraintsFromMessage(clause.slice(m?.[0].length ?? 0));
  return constraints.length ? { field, constraints } : undefined;
}

/** One character class per character; runs of a class become `{n}` (`GBA-20B` → `^[A-Z]{3}-\d{2}[A-Z]$`). */
function shapeOf(value: string): string {
  let out = '';
  let last = '';
  let run = 0;
  const flush = () => {
    if (last) out += run > 1 ? `${last}{${run}}` : last;
  };
  for (const ch of value) {
    const cls = /\d/.test(ch) ? String.raw`\d` : /[A-Z]/.test(ch) ? '[A-Z]' : /[a-z]/.test(ch) ? '[a-z]' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    if (cls === last) run++;
    else {
      flush();
      last = cls;
      run = 1;
    }
  }
  flush();
  return `^${out}$`;
}

// Codes, not prose: digits and short letter groups separated by single spaces, dashes, dots or slashes.
const CODE_LIKE = /^[A-Za-z0-9]+(?:[ \-./][A-Za-z0-9]+)*$/;
const SHAPED_TYPES: ReadonlySet<FieldType> = new Set(['string', 'postal_code', 'credit_card', 'phone']);

/** Constraints the example values imply: a shared shape, a numeric range, the choices of a select. */
export function constraintsFromValues(type: FieldType, values: readonly string[], choices: readonly string[]): string[] {
  const vals = [...new Set(values.map((v) => v.trim()).filter(Boolean))];
  const out: string[] = [];
  if (type === 'enum' && choices.length) out.push(`enum:${[...new Set(choices)].join('|')}`);
  if ((type === 'integer' || type === 'decimal' || type === 'number') && vals.length >= 2) {
    const nums = vals.map((v) => Number(v.replace(/[,$€£]/g, ''))).filter((x) => Number.isFinite(x));
    if (nums.length === vals.length) out.push(`min:${Math.min(...nums)}`, `max:${Math.max(...nums)}`);
  }
  if (SHAPED_TYPES.has(type) && vals.length) {
    const codes = vals.every((v) => v.length <= 24 && CODE_LIKE.test(v) && /\d/.test(v) && !/[A-Za-z]{4}/.test(v));
    const shapes = new Set(vals.map(shapeOf));
    if (codes && shapes.size === 1) out.push(`pattern:${[...shapes][0]}`);
  }
  return out;
}
