/**
 * Splits a Gherkin step into words and values: `"x"`, `'x'`, `“x”`, `‘x’` and outline placeholders
 * (`<name>`, replaced by the Examples row's value) are values; an apostrophe inside a word is not a
 * quote; trailing punctuation is a word of its own.
 */

/** A token of a step: a word, or a value (quoted, or an outline placeholder's example value). */
export interface Token {
  kind: 'word' | 'value';
  text: string;
  /** The outline placeholder this value came from. */
  placeholder?: string;
}

const QUOTES: readonly [string, string][] = [
  ['"', '"'],
  ['“', '”'],
  ["'", "'"],
  ['‘', '’'],
];

/**
 * Splits a step into words and values. Outline placeholders take the row's value (quotes around
 * the cell or around the placeholder are one quoting); a placeholder without a value stays a value
 * named by the placeholder.
 */
export function tokenize(text: string, row: Readonly<Record<string, string>> = {}): Token[] {
  const out: Token[] = [];
  let i = 0;
  const s = text.trim();
  const cellValue = (name: string) => {
    const raw = row[name];
    if (raw === undefined) return undefined;
    const t = raw.trim();
    const m = /^(["'“‘])([\s\S]*)(["'”’])$/.exec(t);
    return m ? (m[2] as string) : raw.trim();
  };
  while (i < s.length) {
    const ch = s[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const quote = QUOTES.find(([open]) => open === ch);
    // An apostrophe inside a word (`husband's`) is not a quote.
    const opensQuote = quote && (quote[0] !== "'" || i === 0 || /[\s(,:=[]/.test(s[i - 1] as string));
    if (quote && opensQuote) {
      const end = findClose(s, i + 1, quote[1]);
      if (end > i) {
        const inner = s.slice(i + 1, end);
        const ph = /^<([^<>]+)>$/.exec(inner);
        if (ph) {
          const v = cellValue(ph[1] as string);
          out.push({ kind: 'value', text: v ?? '', placeholder: ph[1] });
        } else out.push({ kind: 'value', text: inner });
        i = end + 1;
        continue;
      }
    }
    if (ch === '<') {
      const end = s.indexOf('>', i);
      const name = end > i ? s.slice(i + 1, end) : '';
      if (name && !/[<>]/.test(name) && name.length <= 60) {
        // A placeholder without an Examples value (a half-written outline) has no value yet.
        out.push({ kind: 'value', text: cellValue(name) ?? '', placeholder: name });
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j] as string) && !(s[j] === '"' || s[j] === '“' || (s[j] === '<' && j === i))) j++;
    if (j === i) j++;
    const word = s.slice(i, j);
    // Trailing punctuation is its own word (`'Test', 'User'`, `form:`).
    const m = /^(.*?)([,;:.!?]+)$/.exec(word);
    if (m?.[1]) out.push({ kind: 'word', text: m[1] }, { kind: 'word', text: m[2] as string });
    else out.push({ kind: 'word', text: word });
    i = j;
  }
  return out;
}

function findClose(s: string, from: number, close: string): number {
  for (let k = from; k < s.length; k++) {
    if (s[k] !== close) continue;
    // A closing apostrophe ends the value only before a separator (`'My client's home'` keeps going).
    if (close === "'" && k + 1 < s.length && !/[\s,.;:!?)\]]/.test(s[k + 1] as string)) continue;
    return k;
  }
  return -1;
}
