/**
 * URL mode's values: the row function of a form table (controlling values first, each dependent
 * column under the constraints of the values drawn) and the value function of each control type —
 * choices, checkboxes, numbers on their step grid, temporal types in the form's format, and text
 * under length and pattern constraints. Deterministic per seed; constraints win over realism.
 */
import { compilePattern, decimalsOf, parseHtmlNumber, TEMPORAL, type TemporalType, textValueProblem } from '../crawl/html-values.ts';
import type { CrawledField, CrawledFieldChanges } from '../crawl/types.ts';
import { InvalidInputError } from '../errors.ts';
import type { FormColumn, FormTable } from './forms.ts';
import { type RandExp, seededRandExp } from './randexp.ts';
import { Rng } from './rng.ts';
import { createValueGenerator, type SemanticKind } from './semantic.ts';
import type { TextRow } from './types.ts';
import { applyChanges, DAY_MS, describeForm, isRemoved, kindFor, NULL_RATE, numberDomain, textArray, type ValueFn } from './form-fields.ts';

export type RowFn = (row: number) => TextRow;

/** A control's constraints under one combination of controlling values (none: as loaded). */
interface Variant {
  field: CrawledField;
  kind: SemanticKind | null;
  /** Names the variant in the random streams' paths. */
  key: string;
  /** Called instead of throwing when a required control can take no value under this variant. */
  onImpossible?: (reason: string) => void;
}

/**
 * A factory of a form's row function: each call starts every stream afresh. Columns are drawn in
 * the filling order, so a dependent column sees its controlling values; its value function for that
 * combination of values is built on first use, seeded by the combination, so rows stay deterministic.
 * Every single case is checked up front: a controlling value under which a required control can take
 * no value is never drawn.
 */
export function rowFactory(plan: FormTable, seed: string | number): () => RowFn {
  const at = new Map(plan.columns.map((c, i) => [c.column, i]));
  const order = plan.fillOrder.map((c) => at.get(c) as number);
  /** Per column: the controlling columns that rewrite it, with the changes per value. */
  const overrides: { controller: number; byValue: Map<string | null, CrawledFieldChanges> }[][] = plan.columns.map(() => []);
  for (const dep of plan.dependencies) {
    const controller = at.get(dep.control) as number;
    for (const c of dep.cases) {
      for (const f of c.fields) {
        const list = overrides[at.get(f.column) as number] as (typeof overrides)[number];
        let entry = list.find((o) => o.controller === controller);
        if (!entry) {
          entry = { controller, byValue: new Map() };
          list.push(entry);
        }
        entry.byValue.set(c.value, f.changes);
      }
    }
  }
  const excluded = plan.columns.map(() => new Set<string | null>());
  const variantKey = (active: { controller: number; value: string | null }[]) =>
    active.map((a) => `when ${plan.columns[a.controller]?.column}=${JSON.stringify(a.value)}`).join(' and ');
  plan.columns.forEach((column, i) => {
    for (const o of overrides[i] ?? []) {
      for (const [value, changes] of o.byValue) {
        const field = applyChanges(column.field, [changes]);
        if (isRemoved(field)) continue;
        const key = variantKey([{ controller: o.controller, value }]);
        valueFactory(plan, column, seed, {
          field,
          kind: kindFor(field, plan.table, column.pgType),
          key,
          onImpossible: (reason) => {
            const required = field.required && !field.disabled && !field.readOnly;
            plan.unsatisfiable.push({ column: column.column, reason: `${key}: ${reason}${required ? ` (${JSON.stringify(value)} is not chosen)` : ''}` });
            if (required) excluded[o.controller]?.add(value);
          },
        });
      }
    }
  });
  const variantField = (i: number, field: CrawledField): CrawledField => withoutValues(field, excluded[i] as Set<string | null>, plan, i);
  const base = plan.columns.map((c, i) => valueFactory(plan, c, seed, { field: variantField(i, c.field), kind: c.kind, key: '' }));
  const make = (i: number, active: { controller: number; value: string | null; changes: CrawledFieldChanges }[]): (() => ValueFn) => {
    if (!active.length) return base[i] as () => ValueFn;
    const column = plan.columns[i] as FormColumn;
    const field = applyChanges(
      column.field,
      active.map((a) => a.changes),
    );
    if (isRemoved(field)) return () => () => null;
    return valueFactory(plan, column, seed, { field: variantField(i, field), kind: kindFor(field, plan.table, column.pgType), key: variantKey(active) });
  };
  return () => {
    const streams = new Map<string, ValueFn>();
    return (row) => {
      const out: TextRow = new Array(plan.columns.length);
      const drawn = new Array<boolean>(plan.columns.length).fill(false);
      for (const i of order) {
        const active: { controller: number; value: string | null; changes: CrawledFieldChanges }[] = [];
        for (const o of overrides[i] ?? []) {
          const value = out[o.controller] ?? null;
          const changes = drawn[o.controller] ? o.byValue.get(value) : undefined;
          if (changes) active.push({ controller: o.controller, value, changes });
        }
        const key = `${i}|${variantKey(active)}`;
        let next = streams.get(key);
        if (!next) {
          next = make(i, active)();
          streams.set(key, next);
        }
        out[i] = next(row);
        drawn[i] = true;
      }
      return out;
    };
  };
}

/** A controlling control without the values under which a required control has no valid value. */
function withoutValues(field: CrawledField, values: Set<string | null>, plan: FormTable, i: number): CrawledField {
  if (!values.size) return field;
  // A single checkbox: excluding "unchecked" makes it always checked, excluding its value never.
  const options = (field.options ?? []).map((o) => ({
    ...o,
    disabled: o.disabled || values.has(o.value),
    required: o.required || (field.type === 'checkbox' && values.has(null)),
  }));
  const stuck = field.type === 'checkbox' ? options.some((o) => o.disabled && o.required) : !options.some((o) => !o.disabled);
  if (stuck) {
    const column = plan.columns[i]?.column;
    throw new InvalidInputError(`no value of ${plan.table}.${column} leaves every required control of the form satisfiable (${plan.url})`, {
      table: plan.table,
      column,
    });
  }
  return { ...field, options };
}

/** A factory of a column's value function: each call starts the column's streams afresh. */
function valueFactory(plan: FormTable, column: FormColumn, seed: string | number, variant: Variant): () => ValueFn {
  const { field } = variant;
  const path = variant.key ? [plan.table, column.column, variant.key] : [plan.table, column.column];
  const impossible = (reason: string): (() => ValueFn) => {
    if (variant.onImpossible) {
      variant.onImpossible(reason);
      return () => () => null;
    }
    if (field.required && !field.disabled && !field.readOnly) {
      throw new InvalidInputError(`no value satisfies ${plan.table}.${column.column} (${describeForm(plan)} on ${plan.url}): ${reason}`, {
        table: plan.table,
        column: column.column,
      });
    }
    plan.unsatisfiable.push({ column: column.column, reason });
    return () => () => null;
  };
  switch (field.type) {
    case 'select':
    case 'radio':
      return choiceFactory(field, seed, path, impossible);
    case 'checkbox':
      return checkboxFactory(field, seed, path);
    case 'number':
    case 'range':
      return numberFactory(field, variant.kind, seed, path, impossible);
    case 'date':
    case 'month':
    case 'week':
    case 'time':
    case 'datetime-local':
      return temporalFactory(field, variant.kind, seed, path, impossible);
    case 'color':
      return () => {
        const rng = new Rng(seed, ...path, 'color');
        const nulls = new Rng(seed, ...path, 'null');
        return () => (!field.required && nulls.chance(NULL_RATE) ? null : `#${rng.uint32().toString(16).padStart(8, '0').slice(2)}`);
      };
    default:
      return textFactory(field, variant.kind, seed, path, impossible);
  }
}

type Impossible = (reason: string) => () => ValueFn;

function choiceFactory(field: CrawledField, seed: string | number, path: string[], impossible: Impossible): () => ValueFn {
  const options = (field.options ?? []).filter((o) => !o.disabled);
  // A required select's empty option is its placeholder: choosing it leaves the value missing.
  const filled = options.filter((o) => o.value !== '');
  if (field.type === 'select' && field.required && !filled.length) return impossible('a required select has no non-empty enabled option');
  if (!options.length) return impossible(`no enabled ${field.type === 'radio' ? 'radio button' : 'option'}`);
  const pool = filled.length ? filled : options;
  if (field.type === 'select' && field.multiple) {
    return () => {
      const rng = new Rng(seed, ...path, 'multi');
      return () => {
        const n = field.required ? rng.int(1, Math.min(3, pool.length)) : rng.chance(0.15) ? 0 : rng.int(1, Math.min(3, pool.length));
        if (!n) return null;
        const chosen = new Set<number>();
        while (chosen.size < n) chosen.add(rng.int(0, pool.length - 1));
        return textArray([...chosen].sort((a, b) => a - b).map((i) => (pool[i] as { value: string }).value));
      };
    };
  }
  return () => {
    const rng = new Rng(seed, ...path, 'choice');
    return () => {
      if (field.type === 'radio' && !field.required && rng.chance(NULL_RATE)) return null;
      // An optional select now and then keeps its empty choice.
      if (field.type === 'select' && !field.required && options.length > pool.length && rng.chance(0.05)) return '';
      return rng.pick(pool).value;
    };
  };
}

function checkboxFactory(field: CrawledField, seed: string | number, path: string[]): () => ValueFn {
  const boxes = field.options ?? [];
  return () => {
    const rng = new Rng(seed, ...path, 'check');
    return () => {
      const checked = boxes.filter((b) => !b.disabled && (b.required || rng.chance(field.multiple ? 0.4 : 0.5))).map((b) => b.value);
      if (!checked.length) return null;
      return field.multiple ? textArray(checked) : (checked[0] as string);
    };
  };
}

function numberFactory(field: CrawledField, kind: SemanticKind | null, seed: string | number, path: string[], impossible: Impossible): () => ValueFn {
  const d = numberDomain(field);
  if (d.min !== null && d.max !== null && d.max < d.min) return impossible(`min ${d.min} is above max ${d.max}`);
  const decimals = d.step === null ? 2 : Math.max(decimalsOf(d.step), decimalsOf(d.base));
  let kLo = -Infinity;
  let kHi = Infinity;
  if (d.step !== null) {
    if (d.min !== null) kLo = Math.ceil((d.min - d.base) / d.step - 1e-9);
    if (d.max !== null) kHi = Math.floor((d.max - d.base) / d.step + 1e-9);
    if (kLo > kHi) return impossible(`no multiple of step ${d.step} from ${d.base} lies between min and max`);
  }
  // Without bounds, a range around the other bound (or 0–100) keeps values plausible.
  const lo = d.min ?? (d.max !== null ? Math.min(0, d.max - 100) : 0);
  const hi = d.max ?? lo + 100;
  const format = (k: number) => (d.base + k * (d.step as number)).toFixed(decimals);
  return () => {
    const rng = new Rng(seed, ...path, 'number');
    const nulls = new Rng(seed, ...path, 'null');
    const realistic = kind
      ? createValueGenerator(kind, { seed, path: [...path, 'kind'], min: d.min ?? undefined, max: d.max ?? undefined, scale: decimals })
      : null;
    return (row) => {
      if (!field.required && nulls.chance(NULL_RATE)) return null;
      const drawn = realistic ? Number(realistic.next(row)) : lo + rng.next() * (hi - lo);
      const x = Number.isFinite(drawn) ? drawn : lo;
      if (d.step === null) {
        const f = 10 ** decimals;
        const clamped = Math.min(d.max ?? Infinity, Math.max(d.min ?? -Infinity, x));
        const rounded = Math.round(clamped * f) / f;
        const inside = d.max !== null && rounded > d.max ? Math.floor(d.max * f) / f : d.min !== null && rounded < d.min ? Math.ceil(d.min * f) / f : rounded;
        return inside.toFixed(decimals);
      }
      const k = Math.min(kHi, Math.max(kLo, Math.round((x - d.base) / d.step)));
      return format(k);
    };
  };
}

const TEMPORAL_SPAN: Record<keyof typeof TEMPORAL, { from: string; to: string }> = {
  date: { from: '2021-01-01', to: '2025-12-31' },
  month: { from: '2021-01', to: '2025-12' },
  week: { from: '2021-W01', to: '2025-W52' },
  time: { from: '07:00', to: '20:00' },
  'datetime-local': { from: '2023-01-01T00:00', to: '2025-12-31T23:59' },
};

function temporalFactory(field: CrawledField, kind: SemanticKind | null, seed: string | number, path: string[], impossible: Impossible): () => ValueFn {
  const type = field.type as keyof typeof TEMPORAL;
  const t: TemporalType = TEMPORAL[type];
  const min = field.min === null ? null : t.parse(field.min);
  const max = field.max === null ? null : t.parse(field.max);
  const stepText = field.step?.trim().toLowerCase() ?? null;
  const parsedStep = parseHtmlNumber(stepText);
  const step = stepText === 'any' ? 1 : Math.max(1, Math.round((parsedStep !== null && parsedStep > 0 ? parsedStep : t.defaultStep) * t.stepScale));
  const base = min ?? (field.value === null ? null : t.parse(field.value)) ?? t.defaultBase;
  const span = TEMPORAL_SPAN[type];
  const width = (t.parse(span.to) as number) - (t.parse(span.from) as number);
  // A time range may wrap past midnight (min 22:00, max 06:00): values from min to the end of the day then count.
  const wraps = type === 'time' && min !== null && max !== null && max < min;
  if (!wraps && min !== null && max !== null && max < min) return impossible(`min ${field.min} is after max ${field.max}`);
  const lo = min ?? (max !== null ? max - width : (t.parse(span.from) as number));
  const hi = wraps ? DAY_MS - 1 : (max ?? (min !== null ? min + width : (t.parse(span.to) as number)));
  const kLo = Math.ceil((lo - base) / step);
  const kHi = Math.floor((hi - base) / step);
  if (kLo > kHi) return impossible(`no value on the step grid between ${field.min ?? '…'} and ${field.max ?? '…'}`);
  return () => {
    const rng = new Rng(seed, ...path, type);
    const nulls = new Rng(seed, ...path, 'null');
    const realistic =
      type === 'date' && kind
        ? createValueGenerator(kind, { seed, path: [...path, 'kind'], minDate: field.min ?? undefined, maxDate: field.max ?? undefined })
        : null;
    return (row) => {
      if (!field.required && nulls.chance(NULL_RATE)) return null;
      const fromKind = realistic ? t.parse(realistic.next(row).slice(0, 10)) : null;
      const x = fromKind ?? lo + rng.next() * (hi - lo);
      const k = Math.min(kHi, Math.max(kLo, Math.round((x - base) / step)));
      return t.format(base + k * step);
    };
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function letters(rng: Rng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += LETTERS[rng.int(0, 25)];
  return out;
}

/** A value of exactly `length` code units that the type accepts, for when nothing realistic fits. */
function plainValue(type: string, length: number, rng: Rng): string {
  if (type === 'email') {
    if (length >= 13) return `${letters(rng, length - 12)}@example.com`;
    return `${letters(rng, Math.max(1, length - 2))}@${letters(rng, 1)}`;
  }
  if (type === 'url') {
    if (length >= 20) return `https://example.com/${letters(rng, length - 20)}`;
    return `${letters(rng, 1)}:${letters(rng, Math.max(0, length - 2))}`;
  }
  if (type === 'tel') return rng.digits(length);
  return letters(rng, length);
}

function textFactory(field: CrawledField, kind: SemanticKind | null, seed: string | number, path: string[], impossible: Impossible): () => ValueFn {
  const pattern = field.type === 'textarea' ? null : compilePattern(field.pattern);
  const minLength = field.minLength ?? 0;
  const maxLength = field.maxLength;
  if (maxLength !== null && maxLength < minLength) return impossible(`minlength ${minLength} is above maxlength ${maxLength}`);
  if (maxLength === 0) return impossible('maxlength is 0');
  const accepts = (v: string) => v.length > 0 && textValueProblem(field, v, pattern) === null;
  const wanted = (rng: Rng) => rng.int(Math.max(minLength, 1), maxLength ?? Math.max(minLength, 1) + 11);

  /** Makes a realistic value fit the length limits without breaking its type. */
  const fitLength = (value: string, rng: Rng): string => {
    let v = value;
    if (v.length < minLength) {
      const at = field.type === 'email' ? v.indexOf('@') : -1;
      const extra = letters(rng, minLength - v.length);
      v = at > 0 ? `${v.slice(0, at)}${extra}${v.slice(at)}` : field.type === 'url' ? `${v}${v.endsWith('/') ? '' : '/'}${extra}` : `${v}${extra}`;
    }
    if (maxLength !== null && v.length > maxLength) v = v.slice(0, maxLength).trimEnd();
    return v;
  };

  const makeRandexp = (rng: Rng): RandExp | null => {
    if (!pattern || field.pattern === null) return null;
    try {
      return seededRandExp(field.pattern, (a, b) => rng.int(a, b), Math.max(8, Math.min(maxLength ?? 16, Math.max(minLength, 16))));
    } catch {
      return null;
    }
  };

  const build = (tag: string) => {
    const rng = new Rng(seed, ...path, tag);
    const realistic = kind ? createValueGenerator(kind, { seed, path: [...path, tag], maxLength: maxLength ?? undefined }) : null;
    const randexp = makeRandexp(rng);
    return { rng, realistic, randexp };
  };

  // Probe once: does the realistic kind ever fit (a tel pattern of 3 digits rejects phone numbers)?
  // If not, rows go straight to the pattern or the plain form; if nothing fits at all, say so now.
  const probe = build('probe');
  let realisticFits = false;
  let anyFits = false;
  for (let i = 0; i < 24 && !realisticFits; i++) {
    if (probe.realistic && accepts(fitLength(probe.realistic.next(i), probe.rng))) realisticFits = true;
  }
  anyFits = realisticFits;
  for (let i = 0; i < 200 && !anyFits; i++) {
    const v = probe.randexp ? fitLength(probe.randexp.gen(), probe.rng) : plainValue(field.type, wanted(probe.rng), probe.rng);
    if (accepts(v)) anyFits = true;
  }
  if (!anyFits) return impossible(pattern ? `no value found that matches ${field.pattern} within the length limits` : 'no value fits the length limits');

  return () => {
    const { rng, realistic, randexp } = build('value');
    const nulls = new Rng(seed, ...path, 'null');
    return (row) => {
      if (!field.required && nulls.chance(NULL_RATE)) return null;
      if (realistic && realisticFits) {
        for (let attempt = 0; attempt < 4; attempt++) {
          const v = fitLength(realistic.next(row), rng);
          if (accepts(v)) return v;
        }
      }
      for (let attempt = 0; attempt < 200; attempt++) {
        const v = randexp ? fitLength(randexp.gen(), rng) : plainValue(field.type, wanted(rng), rng);
        if (accepts(v)) return v;
      }
      if (!field.required) return null;
      throw new InvalidInputError(`could not generate a value for ${path.join('.')} that the form accepts`, { table: path[0], column: path[1] });
    };
  };
}
