// A .vcf file (vCard 3.0 or 4.0, as every contacts application exports an address
// book) as address object resources, one per card, each card's lines as written.
// Cards without a UID (Google, Outlook) get one derived from their content.

import { parseCard } from '../vcard/card.js';
import { derivedUid } from './derived-uid.js';
import { ImportError } from './report.js';

export interface CardItem {
  /** null when the card cannot be read (validation then says why). */
  uid: string | null;
  text: string;
}

const BEGIN = /^BEGIN:VCARD\s*$/i;
const END = /^END:VCARD\s*$/i;

/** The cards of the file, each from its BEGIN:VCARD line to its END:VCARD line. */
function cardTexts(text: string): string[] {
  const cards: string[] = [];
  let current: string[] | null = null;
  // Each line keeps its own line ending, so a card's bytes are what the file has.
  for (const line of text.replace(/^\uFEFF/, '').split(/(?<=\n)/)) {
    const bare = line.replace(/\r?\n$/, '');
    if (current === null) {
      if (BEGIN.test(bare)) current = [line];
      continue;
    }
    current.push(line);
    if (END.test(bare)) {
      cards.push(current.join(''));
      current = null;
    }
  }
  if (current !== null) cards.push(current.join('')); // cut off: validation says what is wrong
  return cards;
}

/** The UID a card has or is given: inserted as the line before END:VCARD. */
function withUid(card: string): CardItem {
  let parsed;
  try {
    parsed = parseCard(card);
  } catch {
    return { uid: null, text: card };
  }
  const uid = String(parsed.getFirstPropertyValue('uid') ?? '').trim();
  if (uid !== '') return { uid, text: card };
  const made = derivedUid(card);
  const end = /(\r?\n)END:VCARD\s*$/i.exec(card);
  if (!end) return { uid: null, text: card };
  return { uid: made, text: `${card.slice(0, end.index)}${end[1]}UID:${made}${card.slice(end.index)}` };
}

export function splitCards(text: string): CardItem[] {
  const cards = cardTexts(text);
  if (cards.length === 0) throw new ImportError('the file holds no vCard (BEGIN:VCARD … END:VCARD)');
  return cards.map(withUid);
}
