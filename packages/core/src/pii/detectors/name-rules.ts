/**
 * Column-name rules: a dictionary of names and abbreviations (English, German, French, Spanish,
 * Dutch, Portuguese) matched on the column's tokens, so `e_mail`, `EMail`, `emailAddress` and
 * `courriel` all hit the EMAIL entry. Ambiguous words only count on a table that gives them their
 * personal meaning: a bare `name` is a person's name on `customer` but not on `genre`, `artist` or
 * `city`; `city` is personal on `customer` or `address` but reference data on `city`.
 */
import { z } from 'zod';
import { registerDetector } from '../registry.ts';
import { isAddressTable, isPersonTable, tokenize } from '../tokens.ts';
import type { ColumnSample, PiiSignal, PiiType } from '../types.ts';

/** `person`: only on a person-like table (or with a person qualifier); `place`: on a person- or address-like table or with an address qualifier. */
type Gate = 'person' | 'place';
interface Entry {
  type: PiiType;
  confidence: number;
  gate?: Gate;
}

const STRONG = 0.8;
const MEDIUM = 0.65;
const WEAK = 0.55;

function entries(type: PiiType, confidence: number, words: string, gate?: Gate): [string, Entry][] {
  return words
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => [w, gate ? { type, confidence, gate } : { type, confidence }]);
}

/** Keys are token runs joined without separators (`first_name` → "firstname"). */
const DICTIONARY = new Map<string, Entry>([
  ...entries('EMAIL', STRONG, 'email emailaddress mail mailaddress emailadres emailadresse mailadresse courriel adressemail correo correoelectronico epost'),
  ...entries(
    'PHONE',
    STRONG,
    'phone phonenumber phoneno telephone telephonenumber tel telno telefon telefonnummer telefono telefone telefoon mobile mobilephone mobilenumber mobil mobiel handy celular cellphone cellular movil gsm fax faxnumber telefax homephone workphone',
  ),
  ...entries('PHONE', MEDIUM, 'cell'),
  ...entries('FIRST_NAME', STRONG, 'firstname givenname forename fname vorname prenom voornaam primeironome middlename'),
  ...entries('FIRST_NAME', MEDIUM, 'nombre', 'person'),
  ...entries('LAST_NAME', STRONG, 'lastname surname familyname lname nachname familienname nomdefamille apellido apellidos achternaam sobrenome maidenname'),
  ...entries('LAST_NAME', MEDIUM, 'nom', 'person'),
  ...entries(
    'FULL_NAME',
    STRONG,
    'fullname personname contactname customername clientname employeename displayname legalname realname cardholder cardholdername accountholder accountholdername nomcomplet nombrecompleto nomecompleto volledigenaam',
  ),
  ...entries('FULL_NAME', MEDIUM, 'name naam nome', 'person'),
  ...entries(
    'USERNAME',
    STRONG,
    'username user_name login loginname uname nickname screenname accountname benutzername nomutilisateur nombredeusuario gebruikersnaam',
  ),
  ...entries('PASSWORD', STRONG, 'password passwd pwd passwordhash passhash pwdhash passwort motdepasse contrasena senha wachtwoord'),
  ...entries(
    'DATE_OF_BIRTH',
    STRONG,
    'dob birthdate dateofbirth birthday geburtsdatum geburtstag datenaissance fechadenacimiento fechanacimiento geboortedatum datadenascimento datanascimento bday',
  ),
  ...entries(
    'NATIONAL_ID',
    STRONG,
    'ssn socialsecurity socialsecuritynumber socialsecurityno nationalid nationalidnumber nationalidentifier nin nino nationalinsurance nationalinsurancenumber bsn burgerservicenummer personnummer dni nie nir insee cpf aadhaar curp idcardnumber identitycard personalausweis',
  ),
  ...entries('TAX_ID', STRONG, 'taxid taxnumber taxcode tin vat vatnumber vatno vatid nif steuerid steuernummer ustid codicefiscale rfc'),
  ...entries('PASSPORT', STRONG, 'passport passportnumber passportno reisepass passeport pasaporte paspoort passaporte'),
  ...entries(
    'DRIVER_LICENSE',
    STRONG,
    'driverlicense driverslicense driverlicence driverslicence drivinglicense drivinglicence licensenumber licencenumber fuhrerschein permisdeconduire licenciadeconducir rijbewijs',
  ),
  ...entries('DRIVER_LICENSE', WEAK, 'license licence', 'person'),
  ...entries('ADDRESS', STRONG, 'address addr addressline adresse adres direccion endereco domicilio anschrift', 'place'),
  ...entries('STREET', STRONG, 'street streetaddress streetname strasse rue calle rua straat housenumber hausnummer', 'place'),
  ...entries('CITY', STRONG, 'city town ville ciudad stadt ort wohnort plaats woonplaats cidade municipality locality', 'place'),
  ...entries('POSTAL_CODE', STRONG, 'zip zipcode postalcode postcode plz postleitzahl codepostal codigopostal cep', 'place'),
  ...entries('COUNTRY', MEDIUM, 'nationality citizenship countryofbirth birthcountry staatsangehorigkeit nationalite nacionalidad'),
  ...entries('IBAN', STRONG, 'iban'),
  ...entries('BANK_ACCOUNT', STRONG, 'accountnumber accountno acctno bankaccount bankaccountnumber kontonummer numerodecompte rib'),
  ...entries(
    'CREDIT_CARD',
    STRONG,
    'cardnumber creditcard creditcardnumber ccnumber ccnum cardno kreditkarte kartennummer numerodecarte tarjeta numerotarjeta cartao',
  ),
  ...entries('CREDIT_CARD', MEDIUM, 'card'),
  ...entries('CREDIT_CARD', WEAK, 'pan'),
  ...entries('IP_ADDRESS', STRONG, 'ip ipaddress ipaddr ipv4 ipv6 remoteaddr remoteip clientip lastloginip'),
  ...entries('SALARY', STRONG, 'salary wage wages income annualsalary gehalt lohn salaire salario salaris'),
  ...entries('GENDER', STRONG, 'gender sex geschlecht sexe sexo geslacht'),
  ...entries('GENDER', MEDIUM, 'genero', 'person'),
  ...entries('GEO_LOCATION', STRONG, 'lat lng lon latitude longitude geolocation coordinates coords gps', 'place'),
  ...entries('FREE_TEXT_PERSONAL', WEAK, 'notes note comments remarks bio biography aboutme', 'person'),
  ...entries('PHOTO', MEDIUM, 'photo picture avatar portrait headshot foto selfie', 'person'),
  // Longer runs that contain a PII word but name something else.
  ...entries('NONE', 1, 'macaddress webaddress emailtemplate mailserver mailhost ipcountry'),
]);

/** Tokens after the matched words that turn the column into a property of the PII, not the PII. */
const NEGATING_SUFFIX = new Set([
  'id',
  'ids',
  'key',
  'uuid',
  'guid',
  'type',
  'kind',
  'count',
  'cnt',
  'status',
  'flag',
  'verified',
  'confirmed',
  'validated',
  'enabled',
  'visible',
  'at',
  'on',
  'date',
  'time',
  'timestamp',
  'ts',
  'format',
  'template',
  'pref',
  'preference',
  'preferences',
  'opt',
  'optin',
  'optout',
  'consent',
  'domain',
  'provider',
  'sent',
  'bounced',
  'changed',
  'updated',
  'created',
  'label',
  'prefix',
  'length',
  'len',
  'hint',
  'policy',
  'reset',
  'token',
  'salt',
  'code',
  'last',
  'last4',
  'suffix',
  'brand',
  'expiry',
  'exp',
  'expiration',
  'expires',
  'rate',
  'amount',
  'percent',
  'pct',
  'total',
  'version',
  'url',
  'size',
  'mime',
  'width',
  'height',
  'country',
  'region',
  'state',
  'valid',
  'attempts',
  'algorithm',
  'algo',
  'strength',
  'required',
  'changed',
]);

/** Tokens before the matched words that make it something other than a person's attribute. */
const NEGATING_PREFIX = new Set([
  'company',
  'business',
  'product',
  'file',
  'host',
  'server',
  'domain',
  'table',
  'column',
  'schema',
  'app',
  'brand',
  'store',
  'shop',
  'vendor',
  'supplier',
  'org',
  'organisation',
  'organization',
  'department',
  'dept',
  'team',
  'group',
  'role',
  'category',
  'genre',
  'album',
  'artist',
  'track',
  'playlist',
  'media',
  'film',
  'movie',
  'song',
  'city',
  'country',
  'region',
  'state',
  'bank',
  'branch',
  'campaign',
  'event',
  'project',
  'job',
  'task',
  'tag',
  'device',
  'machine',
  'queue',
  'warehouse',
  'office',
  'web',
  'mac',
  'wallet',
  'contract',
  'site',
  'page',
  'last',
  'first',
]);

/** Qualifiers that make a bare `name` a person's name on any table (`customer_name`, `contact_name`). */
const PERSON_QUALIFIER = new Set([
  'customer',
  'client',
  'contact',
  'employee',
  'person',
  'user',
  'owner',
  'holder',
  'patient',
  'member',
  'full',
  'display',
  'legal',
  'real',
  'maiden',
  'middle',
  'author',
  'recipient',
  'sender',
]);

/** Qualifiers that make a place column a personal address (`billing_city`, `home_zip`). */
const PLACE_QUALIFIER = new Set([
  'billing',
  'shipping',
  'home',
  'mailing',
  'delivery',
  'residence',
  'residential',
  'birth',
  'postal',
  'invoice',
  'private',
  'customer',
  'contact',
  'personal',
  'permanent',
  'current',
]);

interface Match {
  entry: Entry;
  start: number;
  end: number;
  words: string;
}

function longestMatch(tokens: string[]): Match | null {
  for (let len = tokens.length; len >= 1; len--) {
    // Rightmost first: in `user_email_address` the head of the name is at its end.
    for (let start = tokens.length - len; start >= 0; start--) {
      const words = tokens.slice(start, start + len).join('');
      const entry = DICTIONARY.get(words);
      if (entry) return { entry, start, end: start + len, words };
    }
  }
  return null;
}

/** The name rule's verdict on one column name in its table, or null. Exported for tests. */
export function matchColumnName(table: string, column: string): { piiType: PiiType; confidence: number; evidence: string } | null {
  const tokens = tokenize(column);
  const match = longestMatch(tokens);
  if (!match || match.entry.type === 'NONE') return null;
  const before = tokens.slice(0, match.start);
  const after = tokens
    .slice(match.end)
    .filter(
      (t) =>
        !/^\d+$/.test(t) &&
        !['number', 'num', 'no', 'nr', 'nummer', 'numero', 'line', 'hash', 'hashed', 'digest', 'encrypted', 'enc', 'text', 'value', 'full'].includes(t),
    );
  if (after.some((t) => NEGATING_SUFFIX.has(t))) return null;
  if (before.some((t) => NEGATING_PREFIX.has(t)) && match.entry.gate !== undefined) return null;
  if (match.entry.gate === 'person') {
    const qualified = before.some((t) => PERSON_QUALIFIER.has(t));
    if (!qualified && (before.length > 0 || !isPersonTable(table))) return null;
  }
  if (match.entry.gate === 'place') {
    const qualified = before.some((t) => PLACE_QUALIFIER.has(t));
    if (!qualified && !isPersonTable(table) && !isAddressTable(table)) return null;
  }
  const context = match.entry.gate ? ` on a ${match.entry.gate === 'person' ? 'person' : 'person/address'}-like table or with a qualifier` : '';
  return { piiType: match.entry.type, confidence: match.entry.confidence, evidence: `column name matches "${match.words}"${context}` };
}

registerDetector({
  name: 'name-rules',
  description: 'Column-name dictionary (EN, DE, FR, ES, NL, PT) with table-meaning gates for ambiguous words.',
  kind: 'name',
  params: z.object({}),
  appliesTo: 'any',
  deterministic: true,
  create: () => ({
    name: 'name-rules',
    description: 'Column-name dictionary',
    kind: 'name',
    detect(column: ColumnSample): PiiSignal[] {
      const m = matchColumnName(column.table, column.column);
      return m ? [{ detector: 'name-rules', ...m }] : [];
    },
  }),
});
