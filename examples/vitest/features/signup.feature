Feature: Sign up
  As a visitor I create an account so that I can order

  Scenario: Sign up with valid details
    Given I am on the sign up page
    When I fill in "Email" with "ann.lee@test.com"
    And I fill in "First name" with "Ann"
    And I fill in "Last name" with "Lee"
    And I fill in "Password" with "Secret123!"
    And I press "Create account"
    Then I should see "Welcome, Ann"

  Scenario: The email is taken
    When I fill in "Email" with "ann.lee@test.com"
    And I press "Create account"
    Then I should see "This email is already used"

  Scenario: Short password
    When I fill in "Password" with "short"
    Then I should see "The password must be at least 8 characters long"
