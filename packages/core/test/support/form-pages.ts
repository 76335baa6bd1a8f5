/**
 * The project's own form pages for the URL-mode crawl tests (sign-up, loose controls, a shipping form
 * whose script rewrites constraints, a page without forms), and where the shared form fixtures are.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = process.env.TDM_CHROMIUM_PATH || '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`crawl-forms tests SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)`);
export const FORMS_DIR = join(process.env.TDM_FIXTURES ?? join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'fixtures'), 'forms');
export const haveFixtures = existsSync(FORMS_DIR);
if (!haveFixtures) console.warn(`form fixtures not found under ${FORMS_DIR}: the fixture pages are SKIPPED (the project's own pages still run)`);

export const FIXTURE_PAGES = [
  'jquery-validation/index.html',
  'jquery-validation/marketo_index.html',
  'jquery-validation/milk_index.html',
  'mdn-learning-area/enabled-disabled-shipping.html',
  'mdn-learning-area/first-form-styled.html',
  'mdn-learning-area/full-example.html',
  'mdn-learning-area/required-labels.html',
  'mdn-learning-area/tel-example.html',
];

/** Every kind of control and constraint the generator handles, in one form. */
export const SIGNUP_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Create your account</title><link rel="stylesheet" href="/missing.css"></head>
<body>
<form id="signupForm" action="/signup" method="post">
  <input type="hidden" name="csrf" value="abc123">
  <label for="u">User name</label>
  <input id="u" name="username" required minlength="3" maxlength="12" pattern="[a-z][a-z0-9_]*">
  <label>E-mail <input type="email" name="email" required maxlength="40"></label>
  <span id="phone-label">Mobile phone</span>
  <input type="tel" name="phone" aria-labelledby="phone-label" required pattern="\\+49 [0-9]{3} [0-9]{6,8}">
  <input type="url" name="website" aria-label="Website">
  <label for="age">Age</label><input type="number" id="age" name="age" min="18" max="99" required>
  <input type="number" name="price" min="0.5" max="100" step="0.25" required>
  <input type="range" name="volume" min="0" max="10" step="2">
  <input type="date" name="birthday" min="1950-01-01" max="2005-12-31" step="7" required>
  <input type="month" name="start_month" min="2024-01" max="2026-06">
  <input type="week" name="week" min="2025-W10" max="2025-W30" required>
  <input type="time" name="slot" min="09:00" max="17:30" step="900" required>
  <input type="datetime-local" name="appointment" min="2025-01-01T08:00" max="2025-12-31T18:00" required>
  <input type="color" name="favorite_color">
  <select name="plan" required>
    <option value="">Choose a plan…</option>
    <option value="basic">Basic</option>
    <option value="pro">Pro</option>
    <option value="enterprise" disabled>Enterprise</option>
  </select>
  <select name="interests" multiple required>
    <option>Music</option><option>Sports</option><option value="tv">Television</option><option>Travel</option>
  </select>
  <fieldset><legend>Preferred contact</legend>
    <label><input type="radio" name="contact" value="email" required> E-mail</label>
    <label><input type="radio" name="contact" value="phone"> Phone</label>
    <label><input type="radio" name="contact" value="post"> Post</label>
  </fieldset>
  <label><input type="checkbox" name="terms" required> I accept the terms</label>
  <fieldset><legend>Newsletters</legend>
    <label><input type="checkbox" name="topics" value="news"> News</label>
    <label><input type="checkbox" name="topics" value="offers"> Offers</label>
    <label><input type="checkbox" name="topics" value="events"> Events</label>
  </fieldset>
  <label>Bio <textarea name="bio" minlength="10" maxlength="200"></textarea></label>
  <input name="fn" autocomplete="given-name">
  <input id="company-name" placeholder="Company">
  <input type="password" name="password" minlength="8" required>
  <input type="search" name="q" maxlength="5" placeholder="Search">
  <input type="text" name="zip" pattern="[0-9]{5}" title="Five digits">
  <fieldset disabled><input name="referral" required></fieldset>
  <button>Sign up</button>
</form>
</body></html>`;

/** Controls outside any form (one implicit form) beside an unnamed form. */
export const LOOSE_PAGE = `<!doctype html>
<html><head><title>Quick order</title><script src="/missing.js"></script></head>
<body>
  <input name="coupon" pattern="[A-Z]{4}-[0-9]{2}" required aria-label="Coupon code">
  <select name="country"><option value="fr">France</option><option value="de">Germany</option></select>
  <input type="email" name="contact_email" required>
  <form><input type="number" name="qty" min="1" max="5" required><button>Order</button></form>
</body></html>`;

/**
 * A form whose script rewrites other controls when a choice changes, as tel-example does: the
 * destination sets the postcode pattern and the weight bounds, hides the customs code (still
 * required) for domestic parcels and clears the typed values; express delivery makes the phone
 * required with a pattern; the gift box enables a required message. The phone comes before the radio
 * group that controls it in the document.
 */
export const SHIPPING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ship a parcel</title></head>
<body>
<form id="parcelForm" action="/ship" method="post">
  <label for="dest">Destination</label>
  <select id="dest" name="destination" required>
    <option value="">Choose…</option>
    <option value="domestic">Domestic</option>
    <option value="eu" selected>EU</option>
    <option value="world">World</option>
  </select>
  <label>Postcode <input name="postcode" required pattern="[0-9]{4,5}"></label>
  <label>Weight (kg) <input type="number" name="weight" required min="1"></label>
  <div id="customs-box"><label>Customs code <input name="customs" required pattern="[A-Z]{2}[0-9]{6}"></label></div>
  <label>Phone <input type="tel" name="phone"></label>
  <fieldset><legend>Speed</legend>
    <label><input type="radio" name="speed" value="standard" checked> Standard</label>
    <label><input type="radio" name="speed" value="express"> Express</label>
  </fieldset>
  <label><input type="checkbox" name="gift" value="yes"> Gift</label>
  <label>Gift message <textarea name="message" minlength="5" maxlength="80" disabled></textarea></label>
  <button>Ship</button>
</form>
<script>
  const form = document.getElementById('parcelForm');
  const { destination, postcode, weight, customs, phone, gift, message } = form.elements;
  const box = document.getElementById('customs-box');
  destination.addEventListener('change', () => {
    for (const input of form.querySelectorAll('input:not([type=radio]):not([type=checkbox])')) input.value = '';
    box.style.display = destination.value === 'domestic' ? 'none' : '';
    customs.pattern = destination.value === 'world' ? '[A-Z]{3}[0-9]{5}' : '[A-Z]{2}[0-9]{6}';
    weight.removeAttribute('step');
    if (destination.value === 'domestic') {
      postcode.pattern = '[0-9]{5}';
      weight.min = '1';
      weight.max = '30';
    } else if (destination.value === 'eu') {
      postcode.pattern = '[0-9]{4,5}';
      weight.min = '1';
      weight.max = '20';
    } else if (destination.value === 'world') {
      postcode.pattern = '[A-Z0-9]{3,10}';
      weight.min = '5';
      weight.max = '10';
      weight.step = '0.5';
    }
  });
  for (const radio of form.elements.speed) {
    radio.addEventListener('change', () => {
      const express = form.elements.speed.value === 'express';
      phone.required = express;
      if (express) phone.pattern = '[0-9]{10}';
      else phone.removeAttribute('pattern');
    });
  }
  gift.addEventListener('change', () => {
    message.disabled = !gift.checked;
    message.required = gift.checked;
  });
</script>
</body></html>`;

export const NO_FORM_PAGE = '<!doctype html><html><head><title>About</title></head><body><p>No forms here.</p><button>Hi</button></body></html>';
