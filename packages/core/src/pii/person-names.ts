/**
 * A small built-in list of common given names and surnames (English-speaking, German, French,
 * Spanish, Dutch, Portuguese, Italian, Nordic). It only has to recognise *most* values of a name
 * column, not every name: the value rule fires on a share of matches, not on each one.
 */
const FIRST = `james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark donald
steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan
stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose
adam nathan henry douglas zachary peter kyle ethan walter noah jeremy christian keith roger terry gerald harold sean austin
carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel logan albert willie alan juan wayne elijah randy roy
vincent ralph eugene russell bobby mason philip louis mary patricia jennifer linda elizabeth barbara susan jessica sarah
karen lisa nancy betty margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie
rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine
debra rachel carolyn janet catherine maria heather diane ruth julie olivia joyce virginia victoria kelly lauren christina
joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice jean
abigail alice judy sophia grace denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte
marie kayla alexis lori hans peter klaus jurgen wolfgang helmut dieter uwe stefan andreas thomas michael frank markus
sabine ursula monika petra claudia birgit heike andrea leonie lukas jonas finn felix maximilian paul elias leon ben noah
jean pierre michel philippe alain nicolas christophe francois patrick daniel bernard eric laurent sebastien julien camille
isabelle nathalie sylvie catherine francoise sophie chloe manon ines lea louise jules hugo lucas gabriel arthur raphael
jose antonio manuel francisco juan david javier carlos jesus alejandro miguel rafael pedro pablo angel sergio fernando luis
jorge alberto carmen maria josefa isabel dolores pilar teresa rosa cristina marta lucia elena paula laura sofia valentina
jan piet kees henk johan willem dirk bram daan sem thijs ruben lars sanne lotte fleur anouk eva femke iris marieke
joao pedro gustavo rafael bruno felipe tiago mateus ana beatriz juliana fernanda leticia camila luisa helena mariana
giuseppe giovanni marco luca matteo alessandro francesco lorenzo giulia chiara francesca martina federica elisa
erik nils olaf sven anders bjorn astrid ingrid sigrid freya mette kari`;

const LAST = `smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson anderson
thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker young allen
king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez
phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz
morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray
mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez powell jenkins perry russell
sullivan bell coleman butler henderson barnes gonzales fisher vasquez simmons romero jordan patterson alexander hamilton
graham reynolds griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina aguilar stevens murray ford
castro marshall owens harrison fernandez mcdonald woods washington kennedy wells vargas henry chen freeman webb tucker
guzman burns crawford olson simpson porter hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer
wagner black robertson boyd rose stone salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols stephens
soto weaver ryan gardner payne grant dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart bradley
knight elliott cunningham duncan armstrong hudson carroll lane riley andrews alvarado ray delgado berry perkins hoffman
johnston matthews pena richards willis carpenter lawrence sandoval mueller muller schneider fischer weber schulz becker
koch richter klein wolf schroder neumann schwarz zimmermann braun kruger hofmann hartmann lange werner krause lehmann
kohler bernard dubois durand lefebvre leroy moreau simon laurent michel fournier girard bonnet dupont lambert fontaine
rousseau vincent muller faure blanc guerin tremblay gagnon roy cote bouchard gauthier morin fernandes goncalves pereira
oliveira souza lima costa ribeiro almeida carvalho araujo rocha dias nascimento rossi russo ferrari esposito bianchi
romano colombo ricci marino greco bruno gallo conti devries jansen bakker visser smit meijer dejong mulder bos vos
janssen peeters maes jacobs mertens willems claes goossens wouters hansen johansen olsen larsen andersen pedersen nielsen
kristensen jensen johansson andersson karlsson nilsson eriksson larsson olsson persson svensson gustafsson`;

const toSet = (words: string) => new Set(words.split(/\s+/).filter(Boolean));

export const FIRST_NAMES: ReadonlySet<string> = toSet(FIRST);
export const LAST_NAMES: ReadonlySet<string> = toSet(LAST);

/** Lower-case ASCII form used for the look-ups (`François` → "francois", `O'Reilly` → "oreilly"). */
export function foldName(word: string): string {
  return word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}
