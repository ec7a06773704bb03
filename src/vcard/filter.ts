// RFC 6352 §10.5 filters evaluated against a parsed vCard.

import type ICAL from 'ical.js';
import type { ParamFilter } from '../text/param-filter.js';
import { textMatches, type TextMatch } from '../text/text-match.js';
import type { AddressFilter, CardPropFilter, FilterTest } from './types.js';

function combine<T>(test: FilterTest, items: T[], ok: (item: T) => boolean): boolean {
  return test === 'allof' ? items.every(ok) : items.some(ok);
}

/** A value as text: structured parts joined by ";", list items by ",". */
function flatten(value: unknown): string {
  return Array.isArray(value) ? value.map((v) => (Array.isArray(v) ? v.map(String).join(',') : String(v))).join(';') : String(value);
}

function propertyText(p: ICAL.Property): string {
  return p.getValues().map(flatten).join(',');
}

function paramMatches(p: ICAL.Property, f: ParamFilter): boolean {
  const raw = p.getParameter(f.name.toLowerCase()) as string | string[] | undefined;
  if (f.isNotDefined) return raw === undefined;
  if (raw === undefined) return false;
  const tm = f.textMatch;
  if (!tm) return true;
  const values = Array.isArray(raw) ? raw : [raw];
  // With negate-condition, "TYPE does not contain work" must hold for the parameter as a whole.
  return tm.negate ? values.every((v) => textMatches(v, tm)) : values.some((v) => textMatches(v, tm));
}

/**
 * A prop-filter: is-not-defined, or its text-matches and param-filters combined by
 * its test, each satisfied by some instance of the property (a card has many EMAILs).
 */
function propMatches(card: ICAL.Component, f: CardPropFilter): boolean {
  const props = card.getAllProperties(f.name.toLowerCase());
  if (f.isNotDefined) return props.length === 0;
  if (props.length === 0) return false;
  const tests: ((p: ICAL.Property) => boolean)[] = [
    ...f.textMatches.map((tm: TextMatch) => (p: ICAL.Property) => textMatches(propertyText(p), tm)),
    ...f.paramFilters.map((pf) => (p: ICAL.Property) => paramMatches(p, pf)),
  ];
  if (tests.length === 0) return true;
  return combine(f.test, tests, (t) => props.some(t));
}

/** An empty filter matches every card. */
export function matchesAddressFilter(card: ICAL.Component, filter: AddressFilter): boolean {
  if (filter.propFilters.length === 0) return true;
  return combine(filter.test, filter.propFilters, (f) => propMatches(card, f));
}
