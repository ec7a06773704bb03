// A whole address book as one .vcf (GET on the collection): the stored cards one after
// another, as sent, which is what every contacts application imports.

export function exportCards(cards: Iterable<Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const card of cards) {
    parts.push(card);
    if (card.length > 0 && card[card.length - 1] !== 0x0a) parts.push(Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
