/** Inputs the decision tests plan from: a connection string with a password to redact, a Gherkin feature. */
export const CONN = 'postgresql://app:S3cr3t-pw@db.internal:5432/prod';
export const GHERKIN = `Feature: Sign up
  Scenario: Register
    When I enter "email" as "ann@test.com"
    And I specify the password as "hunter22"
`;
