/**
 * Identifier tokenising and table meaning, shared by the name rules and the combiner. Column and
 * table names arrive as the catalog spells them (`birth_date`, `BirthDate`, `"Bad Name 123!@#"`),
 * so they are split into lower-case ASCII tokens first; accents are folded so `teléfono` and
 * `Straße` match the same dictionary entries as `telefono` and `strasse`.
 */

/** `customerEmailAddress2` → ["customer", "email", "address", "2"]. */
export function tokenize(identifier: string): string[] {
  const folded = identifier
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2');
  return folded
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The token and its singular forms (`addresses` → addresses, addresse, address). */
export const singularForms = (token: string): string[] => {
  const forms = [token];
  if (token.endsWith('ies')) forms.push(`${token.slice(0, -3)}y`);
  if (token.endsWith('es')) forms.push(token.slice(0, -2));
  if (token.endsWith('s')) forms.push(token.slice(0, -1));
  return forms;
};

/** Tables whose rows are people (English, German, French, Spanish, Dutch, Portuguese). */
const PERSON_TABLE_WORDS = new Set([
  'customer',
  'client',
  'user',
  'person',
  'people',
  'employee',
  'staff',
  'actor',
  'contact',
  'member',
  'author',
  'patient',
  'student',
  'teacher',
  'driver',
  'passenger',
  'guest',
  'subscriber',
  'applicant',
  'candidate',
  'owner',
  'worker',
  'manager',
  'buyer',
  'recipient',
  'beneficiary',
  'profile',
  'volunteer',
  'doctor',
  'physician',
  'nurse',
  'lead',
  'pilot',
  'copilot',
  'crew',
  'agent',
  'player',
  'athlete',
  'resident',
  'tenant',
  'citizen',
  'visitor',
  'attendee',
  'participant',
  'donor',
  'borrower',
  'traveler',
  'traveller',
  'insured',
  'policyholder',
  'pupil',
  'learner',
  'instructor',
  'trainer',
  'coach',
  'therapist',
  'caregiver',
  'contractor',
  'consultant',
  'spouse',
  'dependent',
  'personnel',
  'accountholder',
  'kunde',
  'kunden',
  'mitarbeiter',
  'benutzer',
  'personne',
  'utilisateur',
  'employe',
  'cliente',
  'usuario',
  'empleado',
  'klant',
  'klanten',
  'medewerker',
  'gebruiker',
  'funcionario',
  'contato',
  'contacto',
  'pessoa',
  'persona',
]);

/** Tables whose rows are postal addresses or documents carrying one (orders, invoices). */
const ADDRESS_TABLE_WORDS = new Set([
  'address',
  'adresse',
  'adres',
  'direccion',
  'endereco',
  'shipping',
  'billing',
  'residence',
  'domicile',
  'invoice',
  'order',
  'shipment',
  'delivery',
]);

function tableHas(table: string, words: Set<string>): boolean {
  return tokenize(table).some((t) => singularForms(t).some((f) => words.has(f)));
}

/** The table's rows describe people: bare `name`, `city`, `notes`… columns on it are personal. */
export const isPersonTable = (table: string): boolean => tableHas(table, PERSON_TABLE_WORDS);

/** The table's rows are (or carry) postal addresses. */
export const isAddressTable = (table: string): boolean => tableHas(table, ADDRESS_TABLE_WORDS);
