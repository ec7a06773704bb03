// RFC 4790 collations and the text-match test of CalDAV (RFC 4791 §7.5, §9.7.5) and
// CardDAV (RFC 6352 §10.5.4). Shared by both, so it knows nothing about either format.

export type Collation = 'i;ascii-casemap' | 'i;unicode-casemap' | 'i;octet';
export type MatchType = 'equals' | 'contains' | 'starts-with' | 'ends-with';

export interface TextMatch {
  value: string;
  collation: Collation;
  matchType: MatchType; // CalDAV always uses 'contains'; CardDAV may ask for the others
  negate: boolean;
}

export const COLLATIONS: readonly Collation[] = ['i;ascii-casemap', 'i;unicode-casemap', 'i;octet'];
const MATCH_TYPES: readonly MatchType[] = ['equals', 'contains', 'starts-with', 'ends-with'];

export function isSupportedCollation(name: string): name is Collation {
  return (COLLATIONS as readonly string[]).includes(name);
}

export function isMatchType(name: string): name is MatchType {
  return (MATCH_TYPES as readonly string[]).includes(name);
}

/** Folds a string so that equal-under-the-collation strings become identical. */
function fold(s: string, collation: Collation): string {
  switch (collation) {
    case 'i;octet':
      return s;
    case 'i;ascii-casemap':
      // Only A-Z fold; non-ASCII letters must stay distinct under this collation.
      return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    case 'i;unicode-casemap':
      // RFC 5051 approximated with full case folding on compatibility-decomposed
      // text, so "Ä" (precomposed) and "a\u0308" compare equal regardless of case.
      return s.normalize('NFKD').toUpperCase().toLowerCase();
  }
}

export function textMatches(actual: string, m: TextMatch): boolean {
  const a = fold(actual, m.collation);
  const v = fold(m.value, m.collation);
  let hit: boolean;
  switch (m.matchType) {
    case 'equals':
      hit = a === v;
      break;
    case 'starts-with':
      hit = a.startsWith(v);
      break;
    case 'ends-with':
      hit = a.endsWith(v);
      break;
    default:
      hit = a.includes(v);
  }
  return hit !== m.negate;
}
