/**
 * A grammar for the steps that fill in a form, in any phrasing: an action verb from a lexicon
 * (enter, fill in, type, put, provide, send, input, set, search for, select, choose, pick, check, tick,
 * upload, add …, in English, German, French and Spanish), the field's noun phrase, and the value in any
 * quoting — `"x"`, `'x'`, `“x”`, an outline `<placeholder>` (replaced by its Examples value) or a
 * bare trailing word. The phrase orders real suites use are all read by the same rules:
 *
 *   verb VALUE prep FIELD      I type "Diana" into first name field · I choose 'x' from the 'y' radio buttons
 *   verb FIELD conn VALUE      I enter "email" as "a@b.c" · I enter an order number of 'B-1234' · I set "Name" to "x"
 *   verb FIELD VALUE           the customer enters surname "x" · I put the last name <LAST_NAME>
 *   verb VALUE as FIELD        I specify "New York" as my province · has entered "x" as "<pronoun>" last name
 *   verb with F1 V1 and F2 V2  he logs in with username <username> and password <password>
 *   FIELD is set to VALUE      the delivery option is set to "Express"
 *
 * Label noise (the, my, field, option, textbox, as, of, with, into …) is removed from the field.
 * A value without a field (`I type "Sarah"` after `I select "Your first name"`) is reported as such,
 * so the caller can pair it with the label focused before it.
 */

import type { Token } from './step-tokens.ts';

export { type Token, tokenize } from './step-tokens.ts';

/** What one step does to a form. */
export type StepAction = 'fill' | 'select' | 'check' | 'upload';

/** What one step does to a form. */
export type StepMeaning =
  | { kind: 'fill'; field: string; value?: string; action: StepAction; empty?: boolean }
  | { kind: 'focus'; label: string }
  | { kind: 'value'; value: string; action: StepAction };

interface Verb {
  action: StepAction;
  /** Words that may follow the verb and belong to it (`fill in`, `key in`, `log in with`). */
  particles?: readonly string[];
}

// Base forms; inflections (`enters`, `entered`, `typing`, `typed`) are derived.
const VERBS: Record<string, Verb> = {
  enter: { action: 'fill' },
  fill: { action: 'fill', particles: ['in', 'out'] },
  type: { action: 'fill', particles: ['in'] },
  put: { action: 'fill', particles: ['in'] },
  provide: { action: 'fill' },
  send: { action: 'fill' },
  input: { action: 'fill' },
  set: { action: 'fill' },
  write: { action: 'fill' },
  key: { action: 'fill', particles: ['in'] },
  specify: { action: 'fill' },
  give: { action: 'fill' },
  change: { action: 'fill' },
  update: { action: 'fill' },
  insert: { action: 'fill' },
  supply: { action: 'fill' },
  add: { action: 'fill' },
  complete: { action: 'fill' },
  use: { action: 'fill' },
  log: { action: 'fill', particles: ['in', 'on'] },
  sign: { action: 'fill', particles: ['in', 'up', 'on'] },
  register: { action: 'fill' },
  // `I search for proceeding 'Occupation order'`: a search box filled with the term.
  search: { action: 'fill', particles: ['for'] },
  select: { action: 'select' },
  choose: { action: 'select' },
  pick: { action: 'select' },
  check: { action: 'check' },
  uncheck: { action: 'check' },
  tick: { action: 'check' },
  untick: { action: 'check' },
  toggle: { action: 'check' },
  upload: { action: 'upload' },
  attach: { action: 'upload' },
  // German (first person and infinitive), French, Spanish.
  gebe: { action: 'fill', particles: ['ein'] },
  geben: { action: 'fill', particles: ['ein'] },
  trage: { action: 'fill', particles: ['ein'] },
  tragen: { action: 'fill', particles: ['ein'] },
  fülle: { action: 'fill', particles: ['aus'] },
  setze: { action: 'fill' },
  tippe: { action: 'fill', particles: ['ein'] },
  wähle: { action: 'select', particles: ['aus'] },
  wählen: { action: 'select', particles: ['aus'] },
  saisis: { action: 'fill' },
  saisit: { action: 'fill' },
  saisir: { action: 'fill' },
  entre: { action: 'fill' },
  remplis: { action: 'fill' },
  remplit: { action: 'fill' },
  tape: { action: 'fill' },
  renseigne: { action: 'fill' },
  sélectionne: { action: 'select' },
  choisis: { action: 'select' },
  choisit: { action: 'select' },
  coche: { action: 'check' },
  ingreso: { action: 'fill' },
  ingresa: { action: 'fill' },
  introduzco: { action: 'fill' },
  escribo: { action: 'fill' },
  relleno: { action: 'fill' },
  completo: { action: 'fill' },
  selecciono: { action: 'select' },
  elijo: { action: 'select' },
  marco: { action: 'check' },
};

const FORMS = new Map<string, string>();
for (const base of Object.keys(VERBS)) {
  FORMS.set(base, base);
  if (!/^[a-z]+$/.test(base)) continue;
  const stem = base.endsWith('e') ? base.slice(0, -1) : base;
  const doubled = /[^aeiou][aeiou][pgt]$/.test(base) ? base + base.slice(-1) : base;
  for (const f of [
    `${base}s`,
    `${base}es`,
    `${stem}ed`,
    `${doubled}ed`,
    `${stem}ing`,
    `${doubled}ing`,
    base.endsWith('y') ? `${base.slice(0, -1)}ies` : '',
    base.endsWith('y') ? `${base.slice(0, -1)}ied` : '',
  ]) {
    if (f && !FORMS.has(f)) FORMS.set(f, base);
  }
}
FORMS.set('chose', 'choose').set('chosen', 'choose').set('gave', 'give').set('given', 'give').set('wrote', 'write').set('written', 'write');

// Subject words and auxiliaries before the verb (`I`, `the customer`, `"Trevor" has`, `ich`, `je`).
const AUXILIARIES = new Set(['have', 'has', 'had', 'am', 'is', 'are', 'was', 'were', 'will', 'should', 'can', 'then', 'also', 'now', 'do', 'does']);
// Words between a value and its field, and between a field and its value.
const VALUE_TO_FIELD = new Set([
  'into',
  'in',
  'for',
  'on',
  'as',
  'from',
  'at',
  'to',
  'under',
  'within',
  'inside',
  'in the',
  'im',
  'ins',
  'als',
  'dans',
  'comme',
  'pour',
  'en',
  'como',
  'para',
]);
const FIELD_TO_VALUE = new Set(['as', 'to', 'with', 'of', 'is', '=', ':', 'equal', 'equals', 'als', 'mit', 'auf', 'comme', 'avec', 'à', 'a', 'como', 'con']);
// Noise of a label: articles, possessives, the widget's kind.
const DETERMINERS =
  /^(?:the|a|an|my|his|her|their|its|your|our|this|that|some|new|valid|invalid|correct|wrong|following|der|die|das|den|dem|des|ein|eine|einen|mein|meine|meinen|le|la|les|l'|un|une|mon|ma|mes|el|los|las|uno|una|mi|mis)$/i;
const WIDGETS =
  /^(?:field|fields|input|inputs|box|textbox|text-box|textfield|textarea|area|dropdown|drop-down|select|selector|list|combobox|combo|option|options|radio|radios|button|buttons|checkbox|check-box|tickbox|control|value|entry|feld|eingabefeld|champ|zone|campo|casilla)$/i;
const WIDGET_PHRASE =
  /\s+(?:text\s+(?:field|area|box)|radio\s+buttons?|check\s*box(?:es)?|drop\s*down|select\s+(?:box|list)|input\s+(?:field|box)|combo\s*box)$/i;
// A phrase naming one of these is a place or a control, not a datum (`I select "x" from the menu`).
const NOT_FIELDS =
  /^(?:page|screen|menu|tab|link|button|form|modal|dialog|popup|window|cart|basket|wishlist|list|it|them|this|that|all|everything|anything|nothing|following|below|above|details|information|data)$/i;
const PRONOUNS = /^(?:his|her|their|its|my|your|our|him|them|he|she|they|i|we)$/i;
const CONNECTIVES = new Set(['and', ',', 'und', 'et', 'y', 'e']);
const MAX_FIELD_WORDS = 7;

/** The field's label from a noun phrase of words and values, noise removed; `undefined` when nothing is left. */
function labelOf(tokens: readonly Token[]): string | undefined {
  const parts: string[] = [];
  for (const t of tokens) {
    // `as "<pronoun>" last name`: a value that is a pronoun is a determiner.
    if (t.kind === 'value' && PRONOUNS.test(t.text.trim())) continue;
    if (t.kind === 'word' && /^[,;:.!?]+$/.test(t.text)) break;
    parts.push(t.text);
  }
  while (parts.length && DETERMINERS.test(parts[0] as string)) parts.shift();
  // `the field "Email"`, `le champ "Nom"`, `das Feld "E-Mail"`: the widget named before its label.
  while (parts.length > 1 && WIDGETS.test(parts[0] as string)) parts.shift();
  while (parts.length && DETERMINERS.test(parts[0] as string)) parts.shift();
  // `into the 'UK telephone number' text area`: a two-word widget first.
  const phrase = parts.join(' ');
  const widget =
    /\s+(?:text\s+(?:field|area|box)|radio\s+buttons?|check\s*box(?:es)?|drop\s*down|select\s+(?:box|list)|input\s+(?:field|box)|combo\s*box|date\s+picker)\b/i.exec(
      phrase,
    );
  if (widget && widget.index > 0) {
    let at = 0;
    let length = 0;
    while (at < parts.length && length < widget.index) length += (parts[at++] as string).length + 1;
    parts.splice(at);
  }
  // `into first name field DD`: the widget word ends the label.
  const widgetAt = parts.findIndex((p, i) => i > 0 && WIDGETS.test(p));
  if (widgetAt > 0) parts.splice(widgetAt);
  while (parts.length > 1 && WIDGETS.test(parts[parts.length - 1] as string)) parts.pop();
  let label = parts.join(' ').replace(WIDGET_PHRASE, '').trim();
  label = label.replace(/^(?:the|a|an)\s+/i, '');
  if (!label || NOT_FIELDS.test(label)) return undefined;
  const quoted = tokens.some((t) => t.kind === 'value' && !PRONOUNS.test(t.text.trim()));
  if (!quoted && label.split(/\s+/).length > MAX_FIELD_WORDS) return undefined;
  if (!/\p{L}/u.test(label)) return undefined;
  return label;
}

const isWord = (t: Token | undefined, set: ReadonlySet<string>) => t?.kind === 'word' && set.has(t.text.toLowerCase());

/** Where the verb is and which verb it is, skipping the subject and auxiliaries. */
function findVerb(tokens: readonly Token[]): { at: number; base: string; verb: Verb } | undefined {
  // The verb comes within the first few words (`the customer enters …`, `"Trevor" has entered …`).
  for (let i = 0; i < Math.min(tokens.length, 6); i++) {
    const t = tokens[i];
    if (t?.kind !== 'word') continue;
    const base = FORMS.get(t.text.toLowerCase());
    if (base) return { at: i, base, verb: VERBS[base] as Verb };
    if (i > 0 && !AUXILIARIES.has(t.text.toLowerCase()) && tokens.slice(0, i).some((x) => x.kind === 'word' && AUXILIARIES.has(x.text.toLowerCase()))) return;
  }
  return undefined;
}

/** Data rather than a label: an address, digits, a path, or a sentence. */
function looksLikeData(text: string): boolean {
  return /[@\d/\\]/.test(text) || text.trim().split(/\s+/).length > 5;
}

// German subordinate clauses put the verb last (`wenn ich "x" in das Feld "E-Mail" eingebe`).
const TRAILING_VERBS: Record<string, StepAction> = {
  eingebe: 'fill',
  eingeben: 'fill',
  eintrage: 'fill',
  eintragen: 'fill',
  eintippe: 'fill',
  ausfülle: 'fill',
  setze: 'fill',
  auswähle: 'select',
  auswählen: 'select',
  wähle: 'select',
  ankreuze: 'check',
};
const SUBJECT_WORDS = /^(?:ich|wir|er|sie|man|der|die|das|benutzer|nutzer|kunde|kundin|je|nous|il|elle|l'utilisateur|yo|el|usuario)$/i;

/** What a step does to a form, or `[]` when it fills in nothing. */
export function parseStep(tokens: readonly Token[]): StepMeaning[] {
  const isSet = isSetTo(tokens);
  if (isSet) return [isSet];
  const found = findVerb(tokens);
  const last = tokens[tokens.length - 1];
  const trailing = !found && last?.kind === 'word' ? TRAILING_VERBS[last.text.toLowerCase()] : undefined;
  if (trailing) {
    let start = 0;
    while (start < tokens.length - 1 && tokens[start]?.kind === 'word' && SUBJECT_WORDS.test(tokens[start]?.text ?? '')) start++;
    return splitPairs(tokens.slice(start, -1)).flatMap((part) => parseClause(part, trailing));
  }
  if (!found) return [];
  const { verb, base } = found;
  let rest = tokens.slice(found.at + 1);
  while (rest.length && verb.particles?.includes((rest[0] as Token).text.toLowerCase()) && rest[0]?.kind === 'word') rest = rest.slice(1);
  // `log in with username x and password y`: the particle `with` opens a list of field/value pairs.
  if ((base === 'log' || base === 'sign' || base === 'register') && isWord(rest[0], new Set(['with', 'using', 'as']))) rest = rest.slice(1);
  else if (base === 'log' || base === 'sign' || base === 'register') return [];
  // A trailing German/Spanish separable particle (`gebe "x" in "E-Mail" ein`).
  if (rest.length && rest[rest.length - 1]?.kind === 'word' && /^(?:ein|aus)$/i.test(rest[rest.length - 1]?.text ?? '')) rest = rest.slice(0, -1);
  const action = verb.action;
  const out: StepMeaning[] = [];
  for (const part of splitPairs(rest)) out.push(...parseClause(part, action));
  return out;
}

// `username <u> and password <p>`: split at connectives when every part names a field and a value.
function splitPairs(rest: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  for (const t of rest) {
    if (isWord(t, CONNECTIVES)) parts.push([]);
    else parts[parts.length - 1]?.push(t);
  }
  const pairLike = (p: Token[]) =>
    p.length >= 2 && p[0]?.kind === 'word' && p[p.length - 1]?.kind === 'value' && !p.slice(0, -1).some((t) => t.kind === 'value');
  return parts.length > 1 && parts.every(pairLike) ? parts : [[...rest]];
}

function parseClause(rest: readonly Token[], action: StepAction): StepMeaning[] {
  if (rest.length === 0) return [];
  const first = rest[0] as Token;
  if (first.kind === 'value') {
    // Values first: one or several (`'Test', 'User'`), then perhaps a preposition and the field.
    const values: string[] = [first.text];
    let i = 1;
    while (isWord(rest[i], CONNECTIVES) && rest[i + 1]?.kind === 'value') {
      values.push(rest[i + 1]?.text as string);
      i += 2;
    }
    const tail = rest.slice(i);
    if (tail.length === 0) {
      return values.length === 1
        ? [action === 'fill' || action === 'upload' ? { kind: 'value', value: first.text, action } : { kind: 'focus', label: first.text }]
        : [];
    }
    const connector = tail[0]?.kind === 'word' ? (tail[0]?.text.toLowerCase() as string) : '';
    // `"email" as "a@b.c"`, `"Name" to "Happy"`, `"Email" with "x"`: the first value is the field.
    if (FIELD_TO_VALUE.has(connector) && tail.length === 2 && tail[1]?.kind === 'value' && values.length === 1) {
      // `"jo@x.io" as "email"`, `gebe "a@b.de" als "E-Mail" ein`: the value came first.
      if (looksLikeData(first.text) && !looksLikeData(tail[1].text)) return fill(tail[1].text, first.text, action);
      return fill(first.text, tail[1].text, action);
    }
    if (VALUE_TO_FIELD.has(connector)) {
      const label = labelOf(tail.slice(1));
      if (!label) return [];
      return values.length === 1 ? fill(label, first.text, action) : fillMany(label, values, action);
    }
    // `I choose a 'Non-molestation order' radio button`: a value and the widget only.
    return [];
  }
  // Words first: the field's noun phrase, then a connector or straight the value.
  const valueAt = rest.findIndex((t) => t.kind === 'value');
  if (valueAt < 0) {
    // `I check remember me`: ticking names the field alone.
    if (action === 'check') {
      const label = labelOf(rest);
      return label ? [{ kind: 'fill', field: label, action }] : [];
    }
    return [];
  }
  let phraseEnd = valueAt;
  const before = rest[valueAt - 1];
  if (before?.kind === 'word' && FIELD_TO_VALUE.has(before.text.toLowerCase())) phraseEnd = valueAt - 1;
  // `I enter the 'delegated functions on' date …`: a quoted label inside the phrase is the field.
  const after = rest.slice(valueAt + 1);
  const phrase = rest.slice(0, phraseEnd);
  if (after.length && after[0]?.kind === 'word' && !CONNECTIVES.has(after[0].text.toLowerCase()) && phrase.every((t) => DETERMINERS.test(t.text))) {
    // `I select the "Gender" dropdown`… a value followed by more words: a label with no value.
    if (action === 'check') {
      const label = labelOf(rest.slice(valueAt));
      return label ? [{ kind: 'fill', field: label, action }] : [];
    }
    // `I enter the 'delegated functions on' date of 35 days ago`: a quoted label and the kind of datum;
    // the value is relative, so the field has none.
    const kind = after[0].text.toLowerCase();
    const quoted = rest[valueAt]?.text ?? '';
    if (/^(?:date|time|number|amount|name|code|address|email|phone)$/.test(kind) && quoted && !looksLikeData(quoted)) {
      return [{ kind: 'fill', field: new RegExp(`\\b${kind}$`, 'i').test(quoted) ? quoted : `${quoted} ${kind}`, action }];
    }
    return [];
  }
  const label = labelOf(phrase);
  if (!label) {
    if (action === 'check' && phrase.every((t) => DETERMINERS.test(t.text) || WIDGETS.test(t.text))) {
      const named = labelOf(rest.slice(valueAt, valueAt + 1));
      return named ? [{ kind: 'fill', field: named, action }] : [];
    }
    return [];
  }
  const values: string[] = [rest[valueAt]?.text as string];
  let i = valueAt + 1;
  while (isWord(rest[i], CONNECTIVES) && rest[i + 1]?.kind === 'value') {
    values.push(rest[i + 1]?.text as string);
    i += 2;
  }
  // `I select "Yes" for "Is your life …"` never reaches here; `enter name 'Test', 'User'` does.
  return values.length === 1 ? fill(label, values[0] as string, action) : fillMany(label, values, action);
}

function fill(field: string, value: string, action: StepAction): StepMeaning[] {
  return [{ kind: 'fill', field, value, action }];
}

// `I enter name 'Test', 'User'`: a name in two values is a first and a last name.
function fillMany(field: string, values: readonly string[], action: StepAction): StepMeaning[] {
  if (/^(?:full\s+)?name$/i.test(field) && values.length === 2) {
    return [
      { kind: 'fill', field: 'first name', value: values[0], action },
      { kind: 'fill', field: 'last name', value: values[1], action },
    ];
  }
  return values.map((value) => ({ kind: 'fill', field, value, action }));
}

// `the delivery option is set to "Express"`, `"Country" is set to 'France'`.
function isSetTo(tokens: readonly Token[]): StepMeaning | undefined {
  const words = tokens.map((t) => (t.kind === 'word' ? t.text.toLowerCase() : '\u0000'));
  for (let i = 1; i < tokens.length - 2; i++) {
    if (words[i] !== 'is' && words[i] !== 'are') continue;
    const verb = words[i + 1];
    if (verb !== 'set' && verb !== 'changed' && verb !== 'filled') continue;
    const j = words[i + 2] === 'to' || words[i + 2] === 'with' ? i + 3 : -1;
    const value = j > 0 && j === tokens.length - 1 ? tokens[j] : undefined;
    if (value?.kind !== 'value') return undefined;
    const label = labelOf(tokens.slice(0, i));
    return label ? { kind: 'fill', field: label, value: value.text, action: 'fill' } : undefined;
  }
  return undefined;
}
