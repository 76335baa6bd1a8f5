/**
 * Names as sources spell them → one canonical snake_case, singular, English name: case and
 * separators (`E-Mail`, `emailAddress`, `email_address`), plurals (`customers`, `categories`,
 * `addresses`, `people`) and synonyms in English, German, French and Spanish (`mail`, `zip`,
 * `postal_code`, `PLZ`, `surname`, `Nachname`, `apellido`…).
 */

const SYNONYMS: Record<string, string[]> = {
  email: ['email', 'e_mail', 'email_address', 'mail', 'mail_address', 'e_mail_address', 'emailaddress', 'courriel', 'correo', 'correo_electronico'],
  postal_code: ['postal_code', 'zip', 'zip_code', 'zipcode', 'postcode', 'post_code', 'plz', 'postleitzahl', 'code_postal', 'codigo_postal', 'cp'],
  last_name: ['last_name', 'lastname', 'surname', 'family_name', 'nachname', 'familienname', 'nom', 'nom_de_famille', 'apellido', 'apellidos'],
  first_name: ['first_name', 'firstname', 'given_name', 'forename', 'vorname', 'prenom', 'nombre'],
  phone: ['phone', 'phone_number', 'telephone', 'tel', 'mobile', 'mobile_phone', 'cell', 'telefon', 'telefono', 'telephone_number', 'portable'],
  birth_date: ['birth_date', 'birthdate', 'date_of_birth', 'dob', 'birthday', 'geburtsdatum', 'date_de_naissance', 'fecha_de_nacimiento'],
  street: ['street', 'street_address', 'address_line1', 'address1', 'address_line_1', 'strasse', 'rue', 'calle'],
  city: ['city', 'town', 'stadt', 'ort', 'ville', 'ciudad'],
  country: ['country', 'country_code', 'land', 'pays', 'pais'],
  password: ['password', 'passwd', 'pwd', 'passwort', 'mot_de_passe', 'contrasena'],
  username: ['username', 'user_name', 'login', 'benutzername'],
  company: ['company', 'company_name', 'organisation', 'organization', 'firma', 'societe', 'empresa'],
  customer: ['customer', 'client', 'kunde', 'cliente', 'buyer'],
  product: ['product', 'item', 'article', 'produkt', 'artikel', 'produit', 'producto'],
  order: ['order', 'purchase', 'bestellung', 'commande', 'pedido'],
  quantity: ['quantity', 'qty', 'amount_ordered', 'menge', 'quantite', 'cantidad'],
  price: ['price', 'unit_price', 'preis', 'prix', 'precio'],
};

const CANONICAL = new Map<string, string>();
for (const [canonical, words] of Object.entries(SYNONYMS)) for (const w of words) CANONICAL.set(w, canonical);

const IRREGULAR: Record<string, string> = {
  people: 'person',
  children: 'child',
  men: 'man',
  women: 'woman',
  data: 'data',
  status: 'status',
  address: 'address',
  series: 'series',
};

/** `customerEmailAddress` / `Customer-E-Mail` / `customer email` → `customer_email_address`. */
export function snakeCase(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** English singular of one word (the last part of a snake_case name). */
export function singular(word: string): string {
  if (IRREGULAR[word]) return IRREGULAR[word] as string;
  if (word.length <= 3 || word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|xes|sses|zes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** The canonical name of a field. */
export function normalizeField(name: string): string {
  const snake = snakeCase(name);
  const direct = CANONICAL.get(snake);
  if (direct) return direct;
  // `customer_email`, `billing_zip`: a known word at the end keeps its prefix.
  const parts = snake.split('_');
  for (let i = 1; i < parts.length; i++) {
    const tail = CANONICAL.get(parts.slice(i).join('_'));
    if (tail && !['customer', 'product', 'order'].includes(tail)) return `${parts.slice(0, i).join('_')}_${tail}`;
  }
  return snake;
}

/** The canonical name of an entity: snake_case, singular, synonyms resolved (`Customers` → `customer`, `clients` → `customer`). */
export function normalizeEntity(name: string): string {
  const parts = snakeCase(name).split('_');
  parts[parts.length - 1] = singular(parts[parts.length - 1] ?? '');
  const joined = parts.join('_');
  return CANONICAL.get(joined) ?? joined;
}
