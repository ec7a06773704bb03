// A whole address book as one .vcf (GET on the collection): the stored cards one after
// another, as sent, which is what every contacts application imports.

export async function* exportCards(cards: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const card of cards) {
    yield card;
    if (card.length > 0 && card[card.length - 1] !== 0x0a) yield Buffer.from('\r\n');
  }
}
