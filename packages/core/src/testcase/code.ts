/**
 * What the code-based formats (Cypress, Playwright, Selenium Java and Python) have in common once
 * their parser has found the calls that type into a field: an `Interaction` (where it points, what
 * it types, in which test) and an `Assertion` (a validation message shown for a field). This module
 * turns them into named fields and entities; the parsers live in js.ts, selenium-java.ts and
 * selenium-python.ts.
 */
import { constraintsFromMessage, fieldConstraintFromMessage } from './constraints.ts';
import { EntityCollector, entityFromContext, entityFromFieldName } from './entities.ts';
import { fieldNameFromIdentifier, fieldNameFromLabel, fieldNameFromSelector, GENERIC_FIELD_NAMES, snakeCase } from './fields.ts';
import type { FieldType, TestCaseEntity } from './types.ts';

/** How a call points at an element: a CSS selector or XPath, an id/name/test id, a visible label, an ARIA role's name. */
export type LocatorKind = 'css' | 'identifier' | 'label';

export interface Locator {
  kind: LocatorKind;
  text: string;
  /** The ARIA role a `getByRole` locator asked for (`combobox`), when one did. */
  role?: string;
}

/** One call that types into, picks in or ticks a field. */
export interface Interaction {
  /** Nearest first: `cy.get('form').find('#email')` gives `#email`, then `form`. */
  locators: Locator[];
  /** The typed value when it is a literal (or resolves to one in the same file). */
  value?: string;
  /** The source of a value that is not a literal (`user.firstName`): it may name the field. */
  valueExpr?: string;
  action: 'fill' | 'select' | 'check';
  line: number;
  /** The test (or helper) the call is in: values typed in one test form one example row. */
  row: string;
  /** Enclosing test, suite, method and class names, innermost first. */
  titles: string[];
}

/** A message asserted near a field (`cy.get('#email-helper-text').should('contain', 'Enter an email')`). */
export interface Assertion {
  locators: Locator[];
  message: string;
  line: number;
  titles: string[];
}

export interface CodeFacts {
  interactions: Interaction[];
  assertions: Assertion[];
}

function nameOf(locator: Locator): string {
  const text = locator.text.trim();
  if (locator.kind === 'css') return fieldNameFromSelector(text);
  if (locator.kind === 'identifier' && !/\s/.test(text)) return fieldNameFromIdentifier(text);
  return fieldNameFromLabel(text).name;
}

function fieldName(it: Interaction): string | undefined {
  for (const locator of it.locators) {
    const name = nameOf(locator);
    if (!GENERIC_FIELD_NAMES.has(name)) return name;
  }
  // `cy.get('input').type(user.firstName)`: the expression names the field better than the selector.
  const fromExpr = it.valueExpr && /^[\w$.]+$/.test(it.valueExpr) ? fieldNameFromIdentifier(it.valueExpr.split('.').pop() ?? '') : undefined;
  if (fromExpr && !GENERIC_FIELD_NAMES.has(fromExpr)) return fromExpr;
  // `find_element(By.TAG_NAME, "textarea").send_keys(v)`, `(//input[@type='text'])[3]`: text typed
  // into an element known only by its kind; the kind is the best name there is.
  if (it.action === 'fill') return it.locators.map(nameOf).find((n) => TYPED_KINDS.has(n));
  return undefined;
}

// Element kinds that take free text, named so when nothing names the field better.
const TYPED_KINDS: ReadonlySet<string> = new Set(['textarea', 'text']);

// `#user-settings-email-input-helper-text` → the `email` field's message.
const MESSAGE_SUFFIX = /_(?:input_)?(?:helper_text|helper|error_message|error|errors|feedback|hint|message|validation)$/;

/** Entities and fields from the interactions and assertions a code parser found. */
export function entitiesFromCode(facts: CodeFacts, fileName?: string): TestCaseEntity[] {
  const stem = fileName
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/(?:\.(?:spec|test|cy|e2e))?\.\w+$/i, '');
  const defaultEntity = entityFromContext([stem]) ?? (snakeCase(stem ?? '') || 'record');
  const named = facts.interactions
    .map((it) => ({ it, name: fieldName(it) }))
    .filter((x): x is { it: Interaction; name: string } => x.name !== undefined)
    .sort((a, b) => a.it.line - b.it.line);

  // A field whose name or locator says its record is decisive. The others join a neighbour of the
  // same test — the one the test titles agree with, else the nearer (a `name` before address fields
  // is the addressee) — and only then the titles alone decide.
  const strong = named.map(
    ({ it, name }) =>
      entityFromFieldName(name, it.titles) ??
      entityFromContext(
        it.locators.map((l) => l.text),
        it.titles,
      ),
  );
  const entities = named.map(({ it }, i) => {
    const own = strong[i];
    if (own) return own;
    const titled = entityFromContext(it.titles);
    const neighbour = (step: number) => {
      for (let j = i + step; j >= 0 && j < named.length; j += step) {
        const other = named[j];
        if (other?.it.row !== it.row) return undefined;
        if (strong[j]) return { entity: strong[j] as string, distance: Math.abs(other.it.line - it.line) };
      }
      return undefined;
    };
    const before = neighbour(-1);
    const after = neighbour(1);
    if (titled && (before?.entity === titled || after?.entity === titled)) return titled;
    const nearest = before && after ? (after.distance < before.distance ? after : before) : (before ?? after);
    return nearest?.entity ?? titled ?? defaultEntity;
  });

  const collector = new EntityCollector();
  named.forEach(({ it, name }, i) => {
    const typeHint: FieldType | undefined = it.action === 'check' ? 'boolean' : undefined;
    const value = it.value?.trim() || undefined;
    collector.add({ entity: entities[i] as string, name, line: it.line, value, typeHint, row: it.row, choice: it.action === 'select' });
  });

  const known = [...new Set(named.map((x) => x.name))];
  for (const a of facts.assertions) {
    const inMessage = fieldConstraintFromMessage(a.message);
    if (inMessage) {
      const name = fieldNameFromLabel(inMessage.field).name;
      const target = known.find((k) => k === name) ?? known.find((k) => k.endsWith(`_${name}`) || name.endsWith(`_${k}`));
      if (target) {
        collector.constrain(target, entityFromContext(a.titles) ?? defaultEntity, inMessage.constraints);
        continue;
      }
    }
    const constraints = constraintsFromMessage(a.message);
    if (!constraints.length) continue;
    for (const locator of a.locators) {
      const name = nameOf(locator).replace(MESSAGE_SUFFIX, '');
      const target = known.find((k) => k === name) ?? known.filter((k) => name.endsWith(`_${k}`)).sort((x, y) => y.length - x.length)[0];
      if (target && collector.constrain(target, entityFromContext(a.titles) ?? defaultEntity, constraints)) break;
    }
  }
  return collector.result();
}
