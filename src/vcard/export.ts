// A whole address book as one .vcf (GET on the collection): the stored cards one after
// another, as sent, which is what every contacts application imports.

export function* exportCards(cards: Iterable<Buffer>): Generator<Buffer> {
  for (const card of cards) {
    yield card;
    if (card.length > 0 && card[card.length - 1] !== 0x0a) yield Buffer.from('\r\n');
  }
}
