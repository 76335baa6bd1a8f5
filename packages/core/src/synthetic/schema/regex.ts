/**
 * Strings matching a simple POSIX regex of a CHECK (`VALUE ~ '^[0-9]{5}(-[0-9]{4})?$'`): literals,
 * escapes (\d \w \s and escaped punctuation), bracket classes with ranges, groups with alternatives,
 * and the quantifiers ? * + {n} {n,} {n,m}. Anything else (negated classes, back-references,
 * lookarounds, anchors inside the pattern) returns null, and the check is left to PostgreSQL.
 */
import type { Rng } from '../rng.ts';

type Part = { kind: 'chars'; chars: string } | { kind: 'group'; alternatives: Part[][] } | { kind: 'repeat'; part: Part; min: number; max: number };

const DIGITS = '0123456789';
const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';

/** A generator of strings fully matching `pattern`, or null when the pattern is beyond this subset. */
export function regexGenerator(pattern: string, caseInsensitive = false): ((rng: Rng) => string) | null {
  const tree = parseRegex(pattern);
  if (!tree) return null;
  const chars = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const emit = (parts: Part[], rng: Rng, out: string[]): void => {
    for (const p of parts) {
      if (p.kind === 'chars') out.push(chars(p.chars[rng.int(0, p.chars.length - 1)] as string));
      else if (p.kind === 'group') emit(rng.pick(p.alternatives), rng, out);
      else {
        const n = rng.int(p.min, p.max);
        for (let k = 0; k < n; k++) emit([p.part], rng, out);
      }
    }
  };
  return (rng) => {
    const out: string[] = [];
    emit(rng.pick(tree), rng, out);
    return out.join('');
  };
}

/** The alternatives of `pattern` (its anchors dropped) as parts to emit, or null when it is beyond this subset. */
function parseRegex(pattern: string): Part[][] | null {
  let src = pattern;
  if (src.startsWith('^')) src = src.slice(1);
  if (src.endsWith('$') && !src.endsWith('\\$')) src = src.slice(0, -1);
  const parser = new RegexParser(src);
  try {
    const tree = parser.sequence();
    return parser.i === src.length ? tree : null;
  } catch {
    return null;
  }
}

const fail = (): never => {
  throw new Error('unsupported');
};

/** A recursive-descent reader of the supported subset, from position `i` of `src`; `fail()` on anything else. */
class RegexParser {
  i = 0;

  constructor(readonly src: string) {}

  escaped(c: string): string {
    if (c === 'd') return DIGITS;
    if (c === 'w') return WORD;
    if (c === 's') return ' ';
    if (/[a-zA-Z0-9]/.test(c)) fail();
    return c;
  }

  bracket(): string {
    this.i++; // [
    if (this.src[this.i] === '^') fail();
    let chars = '';
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      let c = this.src[this.i++] as string;
      if (c === '[') fail(); // [:alpha:] and friends
      if (c === '\\') c = this.escaped(this.src[this.i++] ?? fail());
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== undefined && this.src[this.i + 1] !== ']' && c.length === 1) {
        const end = this.src[this.i + 1] as string;
        this.i += 2;
        for (let code = c.charCodeAt(0); code <= end.charCodeAt(0); code++) chars += String.fromCharCode(code);
      } else chars += c;
    }
    if (this.src[this.i] !== ']') fail();
    this.i++;
    return chars;
  }

  sequence(): Part[][] {
    const alternatives: Part[][] = [[]];
    while (this.i < this.src.length && this.src[this.i] !== ')') {
      const c = this.src[this.i] as string;
      const current = alternatives[alternatives.length - 1] as Part[];
      if (c === '|') {
        this.i++;
        alternatives.push([]);
        continue;
      }
      let part: Part = { kind: 'chars', chars: '' };
      if (c === '(') {
        this.i++;
        if (this.src[this.i] === '?') fail();
        part = { kind: 'group', alternatives: this.sequence() };
        if (this.src[this.i] !== ')') fail();
        this.i++;
      } else if (c === '[') part = { kind: 'chars', chars: this.bracket() };
      else if (c === '\\') {
        this.i++;
        part = { kind: 'chars', chars: this.escaped(this.src[this.i++] ?? fail()) };
      } else if (c === '.') {
        this.i++;
        part = { kind: 'chars', chars: WORD };
      } else if ('^$*+?{'.includes(c)) fail();
      else {
        this.i++;
        part = { kind: 'chars', chars: c };
      }
      current.push(this.quantified(part));
    }
    return alternatives;
  }

  quantified(part: Part): Part {
    const c = this.src[this.i];
    const simple: Record<string, [number, number]> = { '?': [0, 1], '*': [0, 4], '+': [1, 4] };
    const range = c === undefined ? undefined : simple[c];
    if (range) {
      this.i++;
      return { kind: 'repeat', part, min: range[0], max: range[1] };
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) fail();
      this.i += (m as RegExpExecArray)[0].length;
      const min = Number(m?.[1]);
      const max = m?.[2] === undefined ? min : m[3] ? Number(m[3]) : min + 4;
      return { kind: 'repeat', part, min, max };
    }
    return part;
  }
}
