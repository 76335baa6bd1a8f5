import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrawledForm, CrawledPage } from '../src/crawl/types.ts';
import { generateFromForms, planFormTables } from '../src/synthetic/forms.ts';
import type { TextRow } from '../src/synthetic/types.ts';
import { haveChromium } from './support/form-pages.ts';
import { allRows, byName, closeFormSite, openFormSite, ROWS, roundTrip, site } from './support/form-site.ts';

beforeAll(openFormSite);
afterAll(closeFormSite);

describe.skipIf(!haveChromium)('constraints that depend on another control', () => {
  let result: Awaited<ReturnType<typeof roundTrip>>;
  beforeAll(async () => {
    result = await roundTrip([`${site.base}/own/shipping.html`]);
    console.info(`dependent page: ${result.forms} form, ${result.rows} rows typed back, ${result.hiddenFills} hidden controls filled through the DOM`);
  }, 180_000);

  it('records, per value of a select, radio group or checkbox, the constraints it rewrites', () => {
    const form = result.pages[0]?.forms[0] as CrawledForm;
    const summary = form.dependencies.map((d) => ({
      control: d.name,
      cases: Object.fromEntries(d.cases.map((c) => [String(c.value), Object.fromEntries(c.fields.map((f) => [f.name, f.changes]))])),
    }));
    expect(summary).toEqual([
      {
        control: 'destination',
        cases: {
          domestic: { postcode: { pattern: '[0-9]{5}' }, weight: { max: '30' }, customs: { visible: false } },
          // The loaded value counts too: choosing it runs the handler, which sets a maximum the HTML has not.
          eu: { weight: { max: '20' } },
          world: { postcode: { pattern: '[A-Z0-9]{3,10}' }, weight: { min: '5', max: '10', step: '0.5' }, customs: { pattern: '[A-Z]{3}[0-9]{5}' } },
        },
      },
      { control: 'speed', cases: { express: { phone: { required: true, pattern: '[0-9]{10}' } } } },
      { control: 'gift', cases: { yes: { message: { disabled: false, required: true } } } },
    ]);
    // Probing left the page as loaded: the crawl read the loaded constraints.
    expect(byName(result.pages[0] as CrawledPage, 0, 'weight')).toMatchObject({ min: '1', max: null, step: null });
  });

  it('puts controlling columns before their dependents and types them first', () => {
    const [plan] = planFormTables(result.pages);
    expect(plan?.columns.map((c) => c.column)).toEqual(['destination', 'postcode', 'weight', 'customs', 'speed', 'phone', 'gift', 'message']);
    expect(plan?.fillOrder).toEqual(['destination', 'speed', 'gift', 'postcode', 'weight', 'customs', 'phone', 'message']);
    // Weight takes halves for world parcels; its check holds under every destination.
    expect(plan?.columns.find((c) => c.column === 'weight')?.pgType).toBe('numeric');
    const generated = generateFromForms(result.pages, { seed: 3 });
    expect(generated.catalog.tables[0]?.checks.map((c) => c.expression)).toEqual(['("weight" >= 1)']);
    const meta = (generated.meta.forms as { dependencies: { control: string }[]; fillOrder: string[] }[])[0];
    expect(meta?.dependencies.map((d) => d.control)).toEqual(['destination', 'speed', 'gift']);
    expect(meta?.fillOrder[0]).toBe('destination');
  });

  it('generates each dependent column under the constraints of the drawn value', async () => {
    const generated = generateFromForms(result.pages, { seed: 'dependent', rowCounts: { '*': 300 } });
    const rows = await allRows(generated.tables[0] as (typeof generated.tables)[number]);
    const columns = generated.tables[0]?.table.columns.map((c) => c.name) ?? [];
    const get = (row: TextRow, name: string) => row[columns.indexOf(name)] ?? null;
    const by = (dest: string) => rows.filter((r) => get(r, 'destination') === dest);
    for (const dest of ['domestic', 'eu', 'world']) expect(by(dest).length).toBeGreaterThan(50);
    expect(rows.every((r) => get(r, 'destination') !== '')).toBe(true);
    expect(by('domestic').every((r) => /^[0-9]{5}$/.test(get(r, 'postcode') ?? '') && Number(get(r, 'weight')) <= 30)).toBe(true);
    expect(by('eu').every((r) => Number(get(r, 'weight')) <= 20)).toBe(true);
    const world = by('world');
    expect(world.every((r) => /^[A-Z0-9]{3,10}$/.test(get(r, 'postcode') ?? '') && /^[A-Z]{3}[0-9]{5}$/.test(get(r, 'customs') ?? ''))).toBe(true);
    expect(world.every((r) => Number(get(r, 'weight')) >= 5 && Number(get(r, 'weight')) <= 10 && Number(get(r, 'weight')) % 0.5 === 0)).toBe(true);
    const express = rows.filter((r) => get(r, 'speed') === 'express');
    expect(express.length).toBeGreaterThan(50);
    expect(express.every((r) => /^[0-9]{10}$/.test(get(r, 'phone') ?? ''))).toBe(true);
    expect(rows.filter((r) => get(r, 'gift') === 'yes').every((r) => (get(r, 'message')?.length ?? 0) >= 5)).toBe(true);
    // Deterministic per seed, dependencies included.
    expect(
      await allRows(generateFromForms(result.pages, { seed: 'dependent', rowCounts: { '*': 300 } }).tables[0] as (typeof generated.tables)[number]),
    ).toEqual(rows);
  });

  it('every generated row passes the real form’s validation, hidden required controls included', () => {
    expect(result.rows).toBe(ROWS);
    expect(result.failures).toEqual([]);
    expect(result.hiddenFills).toBeGreaterThan(0);
  });

  it('never draws a value under which a required control has no valid value', async () => {
    const page = structuredClone(result.pages[0]) as CrawledPage;
    const form = page.forms[0] as CrawledForm;
    const world = form.dependencies[0]?.cases.find((c) => c.value === 'world');
    const weight = world?.fields.find((f) => f.name === 'weight');
    if (!weight) throw new Error('no weight case for world');
    weight.changes = { min: '12', max: '10' };
    const generated = generateFromForms([page], { seed: 5, rowCounts: { '*': 200 } });
    const rows = await allRows(generated.tables[0] as (typeof generated.tables)[number]);
    const at = generated.tables[0]?.table.columns.findIndex((c) => c.name === 'destination') as number;
    expect(rows.some((r) => r[at] === 'world')).toBe(false);
    expect(new Set(rows.map((r) => r[at]))).toEqual(new Set(['domestic', 'eu']));
    expect((generated.meta.forms as { unsatisfiable: { column: string; reason: string }[] }[])[0]?.unsatisfiable).toEqual([
      { column: 'weight', reason: 'when destination="world": min 12 is above max 10 ("world" is not chosen)' },
    ]);
  });
});
