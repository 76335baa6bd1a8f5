/** How the test-case analyser names and types a field, and the constraints it reads from validation messages and steps. */
import { describe, expect, it } from 'vitest';
import { analyzeTestCase, loadTestCaseParsers } from '../src/testcase/analyze.ts';
import { constraintsFromMessage } from '../src/testcase/constraints.ts';
import { fieldNameFromIdentifier, fieldNameFromLabel, fieldNameFromSelector, inferFieldType } from '../src/testcase/fields.ts';

await loadTestCaseParsers();

describe('field naming and typing', () => {
  it.each([
    ['First name *', 'first_name', true],
    ['E-mail:', 'email', false],
    ['the "Zip code" field', 'zip_code', false],
    ['user[address][city]', 'city', false],
    ['emailAddress', 'email_address', false],
  ])('label %s → %s', (label, name, required) => {
    expect(fieldNameFromLabel(label)).toEqual({ name, required });
  });

  it.each([
    ['#email', 'email'],
    ['.action-email', 'email'],
    ['[data-test="signup-first-name"]', 'first_name'],
    ['form > input[name="lastName"]', 'last_name'],
    ['//input[@id="phoneInput"]', 'phone'],
  ])('selector %s → %s', (selector, name) => {
    expect(fieldNameFromSelector(selector)).toBe(name);
  });

  it.each([
    ['com.app:id/zipCodeET', 'zip_code'],
    ['signin-username', 'username'],
    ['bankName-input', 'bank_name'],
    ['profile[tag_string]', 'tag_string'],
    ['profile_first_name', 'first_name'],
    ['user_name', 'user_name'],
    ['accountNumber-input', 'account_number'],
  ])('identifier %s → %s', (identifier, name) => {
    expect(fieldNameFromIdentifier(identifier)).toBe(name);
  });

  it.each([
    ['notes', ['a@b.co', 'c@d.org'], 'email'],
    ['created_at', [], 'datetime'],
    ['start', ['2024-01-02T10:00:00Z'], 'datetime'],
    ['start', ['12.03.2024', '2024/03/12', 'March 12, 2024'], 'date'],
    ['homepage', [], 'url'],
    ['seats', ['2', '10'], 'integer'],
    ['price', ['19.99'], 'decimal'],
    ['routing_number', ['987654321'], 'string'],
    ['bio', [], 'text'],
    ['opens', ['09:30'], 'time'],
    ['code', ['007'], 'string'],
    ['contact', ['+1 (555) 010-0199'], 'phone'],
    ['contact', ['555-010-0199'], 'phone'],
    ['isbn', ['978-3-16-148410-0'], 'string'],
    ['enabled', [], 'boolean'],
    ['flag', ['true', 'false'], 'boolean'],
    ['nickname', ['annie'], 'string'],
  ])('%s %j → %s', (name, values, type) => {
    expect(inferFieldType(name, values)).toBe(type);
  });
});

describe('constraints from validation messages', () => {
  it.each([
    ['Username is required', ['required']],
    ['Must contain at least 5 characters', ['min_length:5']],
    ['Must contain no more than 12 digits', ['max_length:12']],
    ['must be exactly 9 digits', ['min_length:9', 'max_length:9']],
    ['Enter a bank name', ['required']],
    ['Email has already been taken', ['unique']],
    ['Phone number is not valid', ['valid_format']],
    ['Welcome back!', []],
  ])('%s → %j', (message, constraints) => {
    expect(constraintsFromMessage(message)).toEqual(constraints);
  });
});

describe('constraints quoted in "I should see" steps', () => {
  it('attach to the field the message names, never to the pronoun of the step', () => {
    const analysis = analyzeTestCase({
      content: `Feature: Registration
  Scenario: Email must be unique
    When I fill in "Email" with "bob@test.com"
    And I fill in "Password" with "short"
    Then I should see "This email is already used"
    And I should see "The password must be at least 8 characters long"
`,
      fileName: 'registration.feature',
    });
    const fields = analysis.entities.flatMap((e) => e.fields);
    expect(fields.map((f) => f.name)).toEqual(['email', 'password']);
    expect(fields[0]?.constraints).toContain('unique');
    expect(fields[1]?.constraints).toContain('min_length:8');
  });
});
