/**
 * Gherkin through the Cucumber parser and its pickles: every Scenario and every Examples row of an
 * outline is one pickle (Background steps included, `Rule` children too), so an outline yields one
 * example row per Examples row with the row's values kept as example values. Any Gherkin language
 * the parser knows works (`# language: de`, or bare steps whose keywords are German, French,
 * Spanish …). Bare steps without a `Feature:` line (`When I enter "email" as "user@test.com"`) are
 * read as one scenario. Data tables, doc strings and the step phrasings live in gherkin-tables.ts,
 * gherkin-steps.ts and step-grammar.ts. Malformed text throws `InvalidInputError` with the line.
 */
import { AstBuilder, compile, dialects, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { type GherkinDocument, IdGenerator, type Pickle, type Scenario, type Step } from '@cucumber/messages';
import { InvalidInputError } from '../errors.ts';
import { EntityCollector, entityFromContext } from './entities.ts';
import { snakeCase } from './fields.ts';
import { analyzeStepText, type StepScope } from './gherkin-steps.ts';
import { analyzeDocString, analyzeTable } from './gherkin-tables.ts';
import type { TestCaseEntity } from './types.ts';

/** The dialects tried, in this order, when bare steps carry no `# language:` header. */
const BARE_STEP_LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl'];

export interface GherkinResult {
  entities: TestCaseEntity[];
  /** The Gherkin language the text is written in (`en`, `de` …). */
  language: string;
  /** Why nothing was found, when nothing was. */
  reason?: string;
}

/** The first line's step keyword decides the dialect of bare steps; `undefined` when none matches. */
export function bareStepLanguage(content: string): string | undefined {
  const first = firstMeaningfulLine(content);
  if (!first) return undefined;
  for (const code of BARE_STEP_LANGUAGES) {
    const d = dialects[code];
    if (!d) continue;
    const keywords = [...d.given, ...d.when, ...d.then, ...d.and, ...d.but].filter((k) => k.trim() !== '*');
    if (keywords.some((k) => k.trim().length >= 2 && first.startsWith(k) && first.length > k.length)) return code;
  }
  return undefined;
}

function firstMeaningfulLine(content: string): string | undefined {
  for (const line of content.replace(/^\uFEFF/, '').split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith('@')) continue;
    return t;
  }
  return undefined;
}

/** Bare steps wrapped in a feature and a scenario of their dialect; `offset` is the added line count. */
function wrapBareSteps(content: string, language: string): { text: string; offset: number } {
  const d = dialects[language];
  const feature = d?.feature[0] ?? 'Feature';
  const scenario = d?.scenario[0] ?? 'Scenario';
  return { text: `# language: ${language}\n${feature}: steps\n${scenario}: steps\n${content}`, offset: 3 };
}

export function analyzeGherkin(content: string, fileName?: string): GherkinResult {
  const bare = bareStepLanguage(content);
  const wrapped = bare ? wrapBareSteps(content.replace(/^\uFEFF/, ''), bare) : { text: content, offset: 0 };
  const doc = parseGherkin(wrapped.text, fileName, wrapped.offset);
  const feature = doc.feature;
  const language = feature?.language ?? bare ?? 'en';
  if (!feature) return { entities: [], language, reason: 'the text holds no feature and no steps' };
  const collector = new EntityCollector();
  const featureName = bare ? '' : feature.name;
  const featureText = `${featureName}\n${feature.description}`;
  const defaultEntity =
    entityFromContext([featureName, feature.description]) ?? (snakeCase(featureName) || snakeCase(fileName?.replace(/\.feature$/i, '') ?? '') || 'record');

  // Where each AST node is, what names its context, and the values of each Examples row.
  const steps = new Map<string, { step: Step; contexts: string[] }>();
  const rows = new Map<string, Record<string, string>>();
  const outlinesWithoutRows: { scenario: Scenario; contexts: string[]; background: Step[] }[] = [];
  const addScenario = (scenario: Scenario, contexts: string[], background: Step[]) => {
    for (const step of scenario.steps) steps.set(step.id, { step, contexts: [scenario.name, ...contexts] });
    for (const ex of scenario.examples) {
      const header = ex.tableHeader?.cells.map((c) => c.value) ?? [];
      for (const row of ex.tableBody) {
        const values: Record<string, string> = {};
        row.cells.forEach((cell, i) => {
          const name = header[i];
          if (name !== undefined) values[name] = cell.value;
        });
        rows.set(row.id, values);
      }
    }
    // A half-written outline (placeholders, no Examples row) still names its fields.
    if (scenario.steps.some((s) => /<[^<>]+>/.test(s.text)) && !scenario.examples.some((e) => e.tableBody.length > 0)) {
      outlinesWithoutRows.push({ scenario, contexts: [scenario.name, ...contexts], background });
    }
  };
  let background: Step[] = [];
  for (const child of feature.children) {
    if (child.background) {
      background = [...child.background.steps];
      for (const step of background) steps.set(step.id, { step, contexts: [featureName] });
    }
    if (child.scenario) addScenario(child.scenario, [featureName], background);
    if (child.rule) {
      let ruleBackground = background;
      for (const ruleChild of child.rule.children) {
        if (ruleChild.background) {
          ruleBackground = [...background, ...ruleChild.background.steps];
          for (const step of ruleChild.background.steps) steps.set(step.id, { step, contexts: [child.rule.name, featureName] });
        }
        if (ruleChild.scenario) addScenario(ruleChild.scenario, [child.rule.name, featureName], ruleBackground);
      }
    }
  }

  const pickles: readonly Pickle[] = compile(doc, fileName ?? 'test-case.feature', IdGenerator.incrementing());
  for (const pickle of pickles) {
    const values = rows.get(pickle.astNodeIds[1] ?? '') ?? {};
    const scope: StepScope = { contexts: [], rows: [{ key: pickle.id, values }], defaultEntity, collector };
    for (const ps of pickle.steps) {
      const ast = steps.get(ps.astNodeIds[0] ?? '');
      if (!ast) continue;
      scope.contexts = [...ast.contexts.filter(Boolean), pickle.name, featureText];
      analyzeStep(ast.step, scope);
    }
  }
  for (const { scenario, contexts, background: bg } of outlinesWithoutRows) {
    const scope: StepScope = { contexts: [...contexts, featureText], rows: [{ key: scenario.id, values: {} }], defaultEntity, collector };
    for (const step of [...bg, ...scenario.steps]) analyzeStep(step, scope);
  }
  // Without a feature name, the catch-all entity is no context at all: its fields join their neighbours'.
  if (!featureName.trim()) collector.mergeFallback(defaultEntity);
  const entities = shiftLines(collector.result(), wrapped.offset);
  const reason = entities.length
    ? undefined
    : pickles.length === 0 && outlinesWithoutRows.length === 0
      ? 'the feature has no scenario with steps'
      : 'no step fills in a form field';
  return { entities, language, reason };
}

function shiftLines(entities: TestCaseEntity[], offset: number): TestCaseEntity[] {
  if (!offset) return entities;
  for (const e of entities) for (const f of e.fields) f.source = { ...f.source, line: Math.max(1, f.source.line - offset) };
  return entities;
}

function parseGherkin(content: string, fileName: string | undefined, offset: number): GherkinDocument {
  const parser = new Parser(new AstBuilder(IdGenerator.incrementing()), new GherkinClassicTokenMatcher());
  try {
    return parser.parse(content);
  } catch (e) {
    const first = (e as { errors?: unknown[] }).errors?.[0] ?? e;
    const location = (first as { location?: { line?: number; column?: number } }).location;
    const message = first instanceof Error ? first.message : String(first);
    const line = location?.line ? Math.max(1, location.line - offset) : undefined;
    throw new InvalidInputError(
      `malformed Gherkin${fileName ? ` in ${fileName}` : ''}${line ? ` at line ${line}` : ''}: ${message.replace(/^\(\d+:\d+\):\s*/, '')}`,
      { line, column: location?.column, fileName },
    );
  }
}

function analyzeStep(step: Step, scope: StepScope) {
  analyzeStepText(step.text, step.location.line, scope);
  if (step.dataTable) analyzeTable(step.dataTable, step.text, scope);
  if (step.docString) analyzeDocString(step.docString, step.text, step.location.line, scope);
}
