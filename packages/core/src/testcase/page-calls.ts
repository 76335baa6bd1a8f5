/**
 * A test handing its data to a page object whose body lives in another file:
 * `registrationPage.RegisterAsync(user.Email, user.Password)`, `login.with("user", "secret")`. Each
 * argument names the field it fills — by the variable or property it is (`user.Email` → `email`),
 * else by what the same method's arguments are called elsewhere in the file, else, for a login
 * form's two arguments, as a user name (an email when it looks like one) and a password. An object
 * written in the call (`signupPage.fill({ email: 'a@b.io' })`, `new User { Email = "a@b.io" }`)
 * names a field by each of its keys. The parsers collect the calls; this module turns them into
 * interactions.
 */
import type { Interaction } from './code.ts';
import { fieldNameFromIdentifier } from './fields.ts';

/** One argument of a page-object call: the name it is written with and the value it resolves to. */
export interface PageArg {
  /** `user.Email` → `Email`, `title` → `title`; absent for a literal. */
  name?: string;
  value?: string;
  /** The argument's source text. */
  expr: string;
  /** An object written in the call: its keys and what they hold. */
  fields?: { name: string; value?: string; expr: string }[];
}

export interface PageCall {
  /** The variable the page object is kept in (`registrationPage`, `login`). */
  receiver: string;
  /** Its class when declared or created in the file (`RegisterPage`, `FactoryLoginPage`). */
  receiverType?: string;
  method: string;
  args: PageArg[];
  line: number;
  row: string;
  titles: string[];
}

// A page object: its class (`RegisterPage`, `CheckoutForm`) or its variable (`loginPage`, `login_page`) says so.
const PAGE_CLASS = /[a-z0-9](?:Page|Form|Screen|Dialog)(?:Object|Model)?$/;
const PAGE_NAME = /(?:^(?:page|form|screen|dialog)|[a-z0-9](?:Page|Form|Screen|Dialog)|_(?:page|form|screen|dialog))(?:_?(?:[Oo]bject|[Mm]odel))?$/;
// The framework's own page, driver or browser is not a page object (`page.setContent(html)`, `driver.get(url)`).
const FRAMEWORK_OBJECTS = /^_?(?:page|driver|browser|context|frame|t|cy|webdriver|web_?driver|wd|self)$/i;
const isPageObject = (c: PageCall) => (c.receiverType ? PAGE_CLASS.test(c.receiverType) : !FRAMEWORK_OBJECTS.test(c.receiver) && PAGE_NAME.test(c.receiver));
// Form methods of a page object (`reportIncident`, `RegisterAsync`, `logIn`, `with`).
const FORM_METHOD = /^(?:report|fill|submit|register|create|enter|log_?in|sign_?[iu][np]|add|book|edit|update|complete|save|apply|set)|^(?:with|as)$/i;
// One field's setter: a verb, then the field (`enterEmail`, `set_last_name`, `SelectCountry`).
const SETTER = /^([Ss]et|[Ee]nter|[Ff]ill(?:_?[Ii]n)?|[Tt]ype|[Ii]nput|[Ss]elect|[Cc]hoose|[Pp]ick)_?([A-Z]\w*|(?<=_)[a-z]\w*)$/;
// A login form takes a user name (or email) and a password.
const LOGIN = /log_?[io]n|sign_?in|auth|credential/i;
// Keys of a call's options rather than of a record.
const OPTION_KEYS =
  /^(?:timeout|force|exact|delay|noWaitAfter|trial|position|modifiers|button|clickCount|strict|log|waitUntil|retries|interval|failOnStatusCode|multiple|includeHidden|hasText|has)$/;
// Names of a whole record, not one of its fields (`RegisterAsync(user)`).
const RECORD_NAMES =
  /^(?:user|customer|person|member|account|data|details|info|model|form|record|request|payload|dto|input|values|fields|credentials|page|driver|browser|context|options|settings|it|self|this)$/i;

/** The interactions a file's page-object form calls stand for. */
export function pageCallInteractions(calls: readonly PageCall[]): Interaction[] {
  const forms = calls.filter(
    (c) =>
      c.args.length > 0 &&
      !(c.args.length === 1 && !c.args[0]?.fields && SETTER.test(c.method.replace(/Async$/, ''))) &&
      FORM_METHOD.test(c.method.replace(/Async$/, '')) &&
      // A Cypress custom command is Cypress's page object when it is handed an object (`cy.fillCheckout({ … })`).
      (isPageObject(c) || (c.receiver === 'cy' && c.args.some((a) => a.fields))),
  );
  // What each method's arguments are called where the file names them.
  const named = new Map<string, (string | undefined)[]>();
  for (const c of forms) {
    const key = `${c.receiverType ?? c.receiver}.${c.method}/${c.args.length}`;
    const names = named.get(key) ?? [];
    c.args.forEach((a, i) => {
      if (a.name && !RECORD_NAMES.test(a.name)) names[i] ??= a.name;
    });
    named.set(key, names);
  }
  const out: Interaction[] = [];
  // `registerPage.enterEmail("a@b.io")`, `SelectCountryAsync("France")`: the method names its one field.
  for (const c of calls) {
    const setter = SETTER.exec(c.method.replace(/Async$/, ''));
    const field = setter?.[2] ? fieldNameFromIdentifier(setter[2]) : '';
    if (c.args.length !== 1 || c.args[0]?.fields || !field || RECORD_NAMES.test(field) || !isPageObject(c)) continue;
    const a = c.args[0] as PageArg;
    // `fillAddress(order)`: a record handed to a form method, not the value of one field.
    if (a.value === undefined && a.name && fieldNameFromIdentifier(a.name) !== field) continue;
    out.push({
      locators: [{ kind: 'identifier', text: field }],
      value: a.value,
      valueExpr: a.value === undefined ? a.expr : undefined,
      action: /^(?:select|choose|pick)/i.test(setter?.[1] ?? '') ? 'select' : 'fill',
      line: c.line,
      row: c.row,
      titles: c.titles,
    });
  }
  for (const c of forms) {
    const names = named.get(`${c.receiverType ?? c.receiver}.${c.method}/${c.args.length}`) ?? [];
    const login = c.args.length === 2 && [c.method, c.receiver, c.receiverType ?? ''].some((n) => LOGIN.test(n));
    c.args.forEach((a, i) => {
      // `fill({ firstName: 'Ann', email })`, the call's one argument: each key is a field, but for a
      // call's options (`{ timeout: 5000, force: true }`).
      const fields = c.args.length === 1 ? (a.fields ?? []).filter((f) => !OPTION_KEYS.test(f.name)) : [];
      for (const f of fields) {
        out.push({
          locators: [{ kind: 'identifier', text: fieldNameFromIdentifier(f.name) }],
          value: f.value,
          valueExpr: f.value === undefined ? f.expr : undefined,
          action: 'fill',
          line: c.line,
          row: c.row,
          titles: c.titles,
        });
      }
      if (a.fields || c.receiver === 'cy') return;
      let name = names[i];
      if (!name && login) name = i === 1 ? 'password' : c.args[0]?.value?.includes('@') ? 'email' : 'username';
      if (!name) return;
      out.push({
        locators: [{ kind: 'identifier', text: fieldNameFromIdentifier(name) }],
        value: a.value,
        valueExpr: a.value === undefined ? a.expr : undefined,
        action: 'fill',
        line: c.line,
        row: c.row,
        titles: c.titles,
      });
    });
  }
  return out;
}
