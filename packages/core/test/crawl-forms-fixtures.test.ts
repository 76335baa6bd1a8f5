import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrawledPage } from '../src/crawl/types.ts';
import { generateFromForms, planFormTables } from '../src/synthetic/forms.ts';
import { FIXTURE_PAGES, haveChromium, haveFixtures } from './support/form-pages.ts';
import { byName, closeFormSite, openFormSite, ROWS, roundTrip, site } from './support/form-site.ts';

beforeAll(openFormSite);
afterAll(closeFormSite);

describe.skipIf(!haveChromium || !haveFixtures)('crawlForms + generateFromForms on the shared form fixtures', () => {
  let result: Awaited<ReturnType<typeof roundTrip>>;
  const page = (file: string) => result.pages.find((p) => p.url.endsWith(file)) as CrawledPage;
  beforeAll(async () => {
    result = await roundTrip(FIXTURE_PAGES.map((f) => `${site.base}/fixtures/${f}`));
    console.info(
      `fixture pages: ${result.pages.length} pages, ${result.forms} forms, ${result.rows} rows typed back, ` +
        `${result.rows - result.failures.length} accepted, ${result.hiddenFills} hidden controls filled through the DOM`,
    );
  }, 180_000);

  it('finds the fields written in the pages', () => {
    expect(result.pages).toHaveLength(FIXTURE_PAGES.length);
    const full = page('full-example.html');
    expect(full.title).toBe('Full built-in validation example');
    expect(byName(full, 0, 'driver')).toMatchObject({ type: 'radio', required: true, label: "Do you have a driver's license?" });
    expect(byName(full, 0, 'driver').options?.map((o) => o.value)).toEqual(['yes', 'no']);
    expect(byName(full, 0, 'age')).toMatchObject({ type: 'number', id: 'n1', min: '12', max: '120', step: '1', required: false });
    expect(byName(full, 0, 'fruit')).toMatchObject({ type: 'text', required: true, pattern: '[Bb]anana|[Cc]herry|[Aa]pple|[Ss]trawberry|[Ll]emon|[Oo]range' });
    expect(byName(full, 0, 'msg')).toMatchObject({ tag: 'textarea', maxLength: 140, label: 'Leave a short message' });

    const tel = page('tel-example.html');
    expect(tel.forms[0]?.fields.map((f) => [f.name, f.type, f.required, f.pattern])).toEqual([
      ['country', 'select', false, null],
      ['areaNo', 'tel', true, '[0-9]{3}'],
      ['number1', 'tel', true, '[0-9]{3}'],
      ['number2', 'tel', true, '[0-9]{4}'],
    ]);
    expect(byName(tel, 0, 'areaNo').label).toBe('Area code');

    const demo = page('jquery-validation/index.html');
    expect(demo.forms.map((f) => f.id)).toEqual(['commentForm', 'signupForm']);
    expect(byName(demo, 'commentForm', 'name')).toMatchObject({ id: 'cname', required: true, minLength: 2 });
    expect(byName(demo, 'commentForm', 'url')).toMatchObject({ type: 'url', required: false });
    expect(byName(demo, 'signupForm', 'topic')).toMatchObject({ type: 'checkbox', multiple: true });
    expect(byName(demo, 'signupForm', 'topic').options?.map((o) => o.value)).toEqual(['marketflash', 'fuzz', 'digester']);

    const marketo = page('marketo_index.html');
    expect(marketo.forms[0]).toMatchObject({ id: 'profileForm', method: 'get' });
    expect(marketo.forms[0]?.action).toMatch(/\/step2\.htm$/);
    expect(byName(marketo, 0, 'state').options).toHaveLength(51);
    expect(byName(marketo, 0, 'zip')).toMatchObject({ maxLength: 10, type: 'text' });

    expect(byName(page('milk_index.html'), 0, 'dateformat').options?.map((o) => o.value)).toEqual(['0', '1']);
    const shipping = page('enabled-disabled-shipping.html');
    expect(byName(shipping, 0, 'name')).toMatchObject({ disabled: true, required: true });
    expect(byName(shipping, 0, 'billing-checkbox')).toMatchObject({ name: null, type: 'checkbox' });
    expect(page('first-form-styled.html').forms[0]).toMatchObject({ method: 'post' });
    expect(byName(page('first-form-styled.html'), 0, 'user_mail')).toMatchObject({ type: 'email', id: 'mail', label: 'E-mail' });
    expect(byName(page('required-labels.html'), 0, 'username').label).toBe('Name');
  });

  it('names tables after the forms and columns after the controls', () => {
    const generated = generateFromForms(result.pages);
    const names = generated.tables.map((t) => t.table.name);
    expect(names).toEqual(
      expect.arrayContaining(['comment_form', 'signup_form', 'profile_form', 'signupform', 'my_handling_form_page', 'full_built_in_validation_example']),
    );
    const tel = generated.tables.find((t) => t.table.name === 'input_type_tel_example');
    expect(tel?.table.columns.map((c) => c.name)).toEqual(['country', 'areaNo', 'number1', 'number2']);
  });

  it('every generated row passes the real form’s validation', () => {
    expect(result.forms).toBe(9);
    expect(result.rows).toBe(9 * ROWS);
    expect(result.failures).toEqual([]);
    // tel-example's UK rows: number2 is hidden with its wrapper but still required.
    expect(result.hiddenFills).toBeGreaterThan(0);
  });

  it('discovers the constraints the pages rewrite when a choice changes', () => {
    const tel = page('tel-example.html').forms[0];
    expect(tel?.dependencies.map((d) => [d.name, d.cases.map((c) => c.value)])).toEqual([['country', ['UK', 'Germany']]]);
    const cases = Object.fromEntries(tel?.dependencies[0]?.cases.map((c) => [c.value, Object.fromEntries(c.fields.map((f) => [f.name, f.changes]))]) ?? []);
    expect(cases).toEqual({
      UK: { areaNo: { pattern: '[0-9]{3,6}' }, number1: { pattern: '[0-9]{4,8}' }, number2: { visible: false } },
      Germany: { areaNo: { pattern: '[0-9]{3,5}' }, number1: { pattern: '[0-9]{2,4}' } },
    });
    // The billing checkbox (checked on load) enables the billing address when unchecked.
    const shipping = page('enabled-disabled-shipping.html').forms[0];
    expect(shipping?.dependencies).toEqual([
      {
        control: 3,
        name: null,
        id: 'billing-checkbox',
        cases: [
          {
            value: null,
            fields: ['name', 'address2', 'pcode2'].map((name) => ({ field: expect.any(Number), name, id: expect.any(String), changes: { disabled: false } })),
          },
        ],
      },
    ]);
    // Pages whose scripts rewrite nothing have no dependencies.
    for (const file of ['full-example.html', 'first-form-styled.html', 'required-labels.html']) expect(page(file).forms[0]?.dependencies).toEqual([]);
    const plan = planFormTables([page('tel-example.html')])[0];
    expect(plan?.fillOrder[0]).toBe('country');
  });
});
