/**
 * The column-name vocabulary of the name rules: words and abbreviations in English, German,
 * French, Spanish, Portuguese and Dutch, keyed by their token run (`first_name` → "firstname"),
 * each with the PII type it names, how sure the name alone is, and where an ambiguous word counts
 * (see `Gate`). Data only: the matching lives in detectors/name-rules.ts, the words around a match
 * that negate or qualify it in name-qualifiers.ts, team additions come from a rules file
 * (rules-file.ts).
 */
import type { PiiType } from './types.ts';

/** Vocabulary from elsewhere (a rules file), keyed like `DICTIONARY`. */
export type Vocabulary = ReadonlyMap<string, Entry>;

/**
 * Where an ambiguous word counts: `person` only on a table about people (or with a person
 * qualifier, `customer_name`); `place` on a table about people or addresses (or with an address
 * qualifier, `billing_city`); `health` on a table about people or care (`weight` on `vitals`, not on
 * `product`); `employment` on a table about employees, pay or evaluations (`rating` on `appraisal`,
 * not on `film`).
 */
export type Gate = 'person' | 'place' | 'health' | 'employment';
export interface Entry {
  type: PiiType;
  confidence: number;
  gate?: Gate;
}

export const STRONG = 0.8;
export const MEDIUM = 0.65;
export const WEAK = 0.55;

export function entries(type: PiiType, confidence: number, words: string, gate?: Gate): [string, Entry][] {
  return words
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => [w, gate ? { type, confidence, gate } : { type, confidence }]);
}

/** Keys are token runs joined without separators (`first_name` → "firstname"). */
export const DICTIONARY = new Map<string, Entry>([
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
  ...entries('COUNTRY', MEDIUM, 'nationality citizenship countryofbirth birthcountry staatsangehorigkeit nationalite nacionalidad nacionalidade nationaliteit'),
  ...entries('COUNTRY', MEDIUM, 'country countrycode countryname countryiso land pays pais', 'place'),
  ...entries(
    'REGION',
    MEDIUM,
    'state statecode stateprovince province provincecode region regioncode county bundesland departement provincia estadoprovincia canton kanton prefecture territory',
    'place',
  ),
  ...entries(
    'DISTRICT',
    MEDIUM,
    'district neighbourhood neighborhood borough suburb quartier barrio bairro wijk stadtteil stadtbezirk landkreis kreis arrondissement comuna colonia municipio gemeente gemeinde',
    'place',
  ),
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
  ...entries('GEO_LOCATION', STRONG, 'lat lng lon long latitude longitude geolocation geopoint geoposition coordinates coords gps latlng latlon', 'place'),
  ...entries('GEO_LOCATION', MEDIUM, 'location geo standort ubicacion localizacao locatie', 'place'),
  // Special category: health.
  ...entries(
    'HEALTH_CONDITION',
    STRONG,
    'diagnosis diagnoses diagnose diagnosecode diagnosiscode diagnostico diagnostic icd icd9 icd10 icdcode disease diseases illness illnesses disability disabilities allergy allergies allergen allergie allergien alergia alergias allergieen symptom symptoms comorbidity comorbidities medicalcondition medicalconditions chronicconditions healthcondition krankheit erkrankung maladie enfermedad doenca ziekte handicap behinderung',
  ),
  ...entries('HEALTH_CONDITION', MEDIUM, 'condition conditions pregnant pregnancy smoker smoking', 'health'),
  ...entries(
    'MEDICATION',
    STRONG,
    'medication medications medicine medicines prescription prescriptions dosage medikament medikamente medicament medicaments medicamento medicamentos geneesmiddel medicatie therapy',
  ),
  ...entries('MEDICATION', MEDIUM, 'drug drugs dose treatment treatments', 'health'),
  ...entries('BLOOD_TYPE', STRONG, 'bloodtype bloodgroup blutgruppe groupesanguin gruposanguineo tiposanguineo bloedgroep rhesus'),
  ...entries(
    'VITAL_SIGN',
    STRONG,
    'bloodpressure systolic diastolic heartrate pulse pulserate respiratoryrate respiration spo2 oxygensaturation bmi bodymassindex cholesterol glucose bloodsugar hba1c vitals vitalsigns blutdruck puls tensionarterielle presionarterial',
  ),
  ...entries(
    'VITAL_SIGN',
    MEDIUM,
    'weight height temperature bodytemperature temp bodyweight gewicht groesse grosse poids taille peso altura lengte',
    'health',
  ),
  ...entries(
    'HEALTH_RECORD',
    STRONG,
    'medicalhistory medicalrecord medicalrecords healthrecord healthrecords healthdata medicaldata clinicalnotes clinicaldata anamnesis anamnese patientnotes labresult labresults testresults',
  ),
  // Special category: biometric.
  ...entries(
    'BIOMETRIC',
    STRONG,
    'fingerprint fingerprints faceprint facetemplate faceembedding faceid iris irisscan retina retinascan voiceprint dna genome genotype biometric biometrics palmprint',
  ),
  // Employment.
  ...entries(
    'SALARY',
    STRONG,
    'grosspay netpay basepay basesalary payrate hourlyrate hourlywage monthlysalary yearlysalary compensation remuneration verguetung remuneracion remuneracao loon',
  ),
  ...entries('SALARY', MEDIUM, 'pay bonus commission overtime earnings', 'employment'),
  ...entries('PERFORMANCE_RATING', STRONG, 'performancerating performancescore performancereview appraisal appraisalscore evaluationscore'),
  ...entries('PERFORMANCE_RATING', MEDIUM, 'rating score evaluation grade review beoordeling bewertung evaluacion avaliacao', 'employment'),
  // Identifiers issued to a person.
  ...entries(
    'PERSONAL_ID',
    STRONG,
    'badgenumber badgeno badgeid membershipnumber membershipno membershipid membernumber memberno membershipcard certificatenumber certificateno certificationnumber licenseno licenceno employeenumber employeeno staffnumber personnelnumber payrollnumber patientnumber mrn medicalrecordnumber studentnumber matriculationnumber matrikelnummer personalnummer mitgliedsnummer policynumber insurancenumber insuranceid healthinsurancenumber pilotlicense pilotlicence',
  ),
  ...entries('PERSONAL_ID', MEDIUM, 'badge certificate certification', 'person'),
  ...entries('NATIONAL_ID', STRONG, 'nhsno nhsnumber nhs medicarenumber medicaid sin personalid ausweisnummer numerosecu securitesociale curp pesel'),
  ...entries('NATIONAL_ID', MEDIUM, 'sin nss rut cnp', 'person'),
  ...entries('PHONE_EXTENSION', STRONG, 'phoneextension phoneext telext durchwahl'),
  ...entries('PHONE_EXTENSION', MEDIUM, 'extension ext', 'person'),
  // Credentials and online identifiers.
  ...entries(
    'SECRET',
    STRONG,
    'apikey apisecret accesstoken refreshtoken authtoken bearertoken secret secretkey clientsecret privatekey otpsecret totpsecret mfasecret securityanswer securityquestionanswer cvv cvc cvv2 cvc2 sessiontoken',
  ),
  ...entries('SECRET', MEDIUM, 'pin', 'person'),
  ...entries('USERNAME', MEDIUM, 'handle twitter twitterhandle instagram linkedin skype github socialhandle', 'person'),
  // Quasi-identifiers.
  ...entries('DATE_OF_BIRTH', MEDIUM, 'born bornon birth geboren nacido nascido', 'person'),
  ...entries('DATE_OF_DEATH', STRONG, 'deathdate dateofdeath deceaseddate sterbedatum datededeces fechadefallecimiento'),
  ...entries('MARITAL_STATUS', STRONG, 'maritalstatus civilstatus familienstand etatcivil estadocivil burgerlijkestaat'),
  ...entries('MARITAL_STATUS', MEDIUM, 'marital married spouse', 'person'),
  ...entries(
    'ETHNICITY',
    STRONG,
    'ethnicity ethnicgroup religion religiousaffiliation sexualorientation politicalaffiliation politicalparty tradeunion unionmembership konfession religion etnia raza etnicidade',
  ),
  ...entries('ETHNICITY', MEDIUM, 'race ethnic', 'person'),
  ...entries('POSTAL_CODE', MEDIUM, 'pincode', 'place'),
  ...entries('CITY', STRONG, 'birthplace placeofbirth cityofbirth geburtsort lieudenaissance lugardenacimiento naturalidade geboorteplaats'),
  ...entries('FIRST_NAME', MEDIUM, 'first given', 'person'),
  ...entries('LAST_NAME', MEDIUM, 'last family maiden', 'person'),
  ...entries('DRIVER_LICENSE', MEDIUM, 'drivers driving', 'person'),
  ...entries('USERNAME', STRONG, 'loginid userlogin useraccount'),
  ...entries('FREE_TEXT_PERSONAL', STRONG, 'resume cv curriculumvitae lebenslauf coverletter motivation'),
  // Contact details are how a person is reached (an e-mail first, a phone): direct identifiers. Sampled
  // values decide between the two; a text of another kind halves the name's word (combine.ts).
  ...entries('EMAIL', MEDIUM, 'contactdata contactinfo contactdetails kontaktdaten datosdecontacto contactgegevens'),
  ...entries('FREE_TEXT_PERSONAL', MEDIUM, 'personaldata personalinfo personaldetails'),
  ...entries('AGE', MEDIUM, 'age edad idade leeftijd birthyear yearofbirth', 'person'),
  ...entries(
    'FREE_TEXT_PERSONAL',
    MEDIUM,
    'notes note comments comment remarks remark bio biography aboutme feedback complaint complaints message messages chat transcript opmerking opmerkingen bemerkung bemerkungen kommentar kommentare notiz notizen commentaire commentaires remarque comentario comentarios observacion observaciones observacoes observacao mensaje mensagem bericht nachricht',
  ),
  ...entries(
    'FREE_TEXT_PERSONAL',
    WEAK,
    'description descr desc content body text details story summary beschreibung descripcion descricao beschrijving',
    'person',
  ),
  ...entries('PHOTO', MEDIUM, 'photo picture avatar portrait headshot foto selfie', 'person'),
  // Longer runs that contain a PII word but name something else.
  ...entries('NONE', 1, 'macaddress webaddress emailtemplate mailserver mailhost ipcountry'),
]);
