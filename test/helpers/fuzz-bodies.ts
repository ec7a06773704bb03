// The valid structures the fuzz test mutates: one arbitrary per request body kind
// (RFC 4918 PROPFIND/PROPPATCH/MKCOL, RFC 4791 calendar-query/-multiget/MKCALENDAR,
// RFC 6352 addressbook-query, RFC 6578 sync-collection).

import fc from 'fast-check';
import { c, cr, d, weirdText, x, type XNode } from './fuzz-xml.js';

/** Mostly sound values, sometimes weird ones: a request must get past the first check to reach the later ones. */
const mostly = <T>(sound: fc.Arbitrary<T>, weird: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: sound }, { weight: 1, arbitrary: weird });

const date = mostly(
  fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((t) => t.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')),
  weirdText,
);
const range = fc.tuple(date, date, fc.boolean()).map(([a, b, both]): Record<string, string> => {
  const [start, end] = a < b ? [a, b] : [b, a];
  return both ? { start, end } : { start };
});
const UTC_TIMEZONE = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Etc/UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n';
const attr = <T extends string>(name: string, value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined }).map((v): Record<string, string> => (v === undefined ? {} : { [name]: v }));

const propName = fc.constantFrom(
  d('displayname'), d('getetag'), d('resourcetype'), d('getcontenttype'), d('getlastmodified'), d('sync-token'), d('current-user-principal'),
  d('supported-report-set'), d('current-user-privilege-set'), d('owner'), d('quota-available-bytes'),
  c('calendar-home-set'), c('supported-calendar-component-set'), c('calendar-timezone'), c('calendar-description'), c('schedule-inbox-URL'),
  cr('addressbook-home-set'), cr('supported-address-data'), x('http://calendarserver.org/ns/', 'getctag'), x('http://apple.com/ns/ical/', 'calendar-color'),
  x('urn:x-fuzz', 'dead'),
);

const calendarData: fc.Arbitrary<XNode> = fc.oneof(
  fc.constant(c('calendar-data')),
  range.map((r) => c('calendar-data', [c('expand', [], r)])),
  range.map((r) => c('calendar-data', [c('limit-recurrence-set', [], r)])),
  range.map((r) => c('calendar-data', [c('limit-freebusy-set', [], r)])),
  fc.constantFrom('VEVENT', 'VTODO', 'VALARM').map((comp) => c('calendar-data', [c('comp', [c('prop', [], { name: 'VERSION' }), c('comp', [c('prop', [], { name: 'SUMMARY', novalue: 'yes' }), c('allprop')], { name: comp })], { name: 'VCALENDAR' })])),
);

const addressData: fc.Arbitrary<XNode> = fc.oneof(
  fc.constant(cr('address-data')),
  fc.constantFrom('FN', 'EMAIL', 'UID', 'PHOTO').map((name) => cr('address-data', [cr('prop', [], { name })], { 'content-type': 'text/vcard', version: '3.0' })),
  fc.constant(cr('address-data', [cr('allprop')], { version: '4.0' })),
);

const props = (data: fc.Arbitrary<XNode>) => fc.tuple(fc.array(propName, { maxLength: 4 }), fc.option(data, { nil: undefined }))
  .map(([names, dataProp]) => d('prop', [...names, ...(dataProp ? [dataProp] : [])]));

const textMatch = (ns: typeof c) => fc.tuple(weirdText, attr('collation', mostly(fc.constantFrom('i;octet', 'i;ascii-casemap', 'i;unicode-casemap'), fc.constant('i;bogus'))),
  attr('negate-condition', fc.constantFrom('yes', 'no')), attr('match-type', fc.constantFrom('equals', 'contains', 'starts-with', 'ends-with')))
  .map(([text, a, b, m]) => ns('text-match', [], { ...a, ...b, ...(ns === cr ? m : {}) }, text));

const calendarPropFilter = fc.tuple(fc.constantFrom('SUMMARY', 'DTSTART', 'UID', 'ATTENDEE', 'X-FOO'), fc.oneof(
  textMatch(c).map((t) => [t]),
  range.map((r) => [c('time-range', [], r)]),
  fc.constant([c('is-not-defined')]),
  textMatch(c).map((t) => [c('param-filter', [t], { name: 'PARTSTAT' })]),
)).map(([name, children]) => c('prop-filter', [...children], { name }));

const compFilter: fc.Arbitrary<XNode> = fc.tuple(fc.constantFrom('VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VALARM'), fc.option(range, { nil: undefined }), fc.array(calendarPropFilter, { maxLength: 2 }), fc.boolean())
  .map(([name, r, filters, alarm]) => c('comp-filter', [
    ...(r ? [c('time-range', [], r)] : []), ...filters,
    ...(alarm && r ? [c('comp-filter', [c('time-range', [], r)], { name: 'VALARM' })] : []),
  ], { name }));

const nresults = mostly(fc.integer({ min: 1, max: 3 }).map(String), weirdText);
const limit = (ns: typeof c) => fc.option(nresults.map((n) => ns('limit', [ns('nresults', [], {}, n)])), { nil: undefined, freq: 4 });

export const propfindBody = fc.oneof(
  props(fc.oneof(calendarData, addressData)).map((p) => d('propfind', [p])),
  fc.array(propName, { maxLength: 3 }).map((inc) => d('propfind', [d('allprop'), d('include', inc)])),
  fc.constant(d('propfind', [d('propname')])),
);

const propValue = fc.oneof(
  weirdText.map((t) => d('displayname', [], {}, t)),
  weirdText.map((t) => x('http://apple.com/ns/ical/', 'calendar-color', [], {}, t)),
  weirdText.map((t) => c('calendar-timezone', [], {}, t)),
  weirdText.map((t) => c('calendar-description', [], {}, t)),
  fc.constantFrom('VEVENT', 'VTODO', 'X').map((name) => c('supported-calendar-component-set', [c('comp', [], { name })])),
  fc.constant(d('resourcetype', [d('collection'), c('calendar')])),
  fc.constant(d('getetag', [], {}, '"x"')),
  weirdText.map((t) => x('urn:x-fuzz', 'dead', [x('urn:x-fuzz', 'inner', [], { a: t })], {}, t)),
);

export const proppatchBody = fc.array(fc.tuple(fc.boolean(), propValue), { minLength: 1, maxLength: 3 })
  .map((ops) => d('propertyupdate', ops.map(([set, p]) => d(set ? 'set' : 'remove', [d('prop', [p])]))));

export const calendarQueryBody = fc.tuple(props(calendarData), fc.array(compFilter, { maxLength: 2 }), limit(c), fc.boolean())
  .map(([p, filters, l, tz]) => c('calendar-query', [
    p, c('filter', [c('comp-filter', filters, { name: 'VCALENDAR' })]),
    ...(tz ? [c('timezone', [], {}, UTC_TIMEZONE)] : []), ...(l ? [l] : []),
  ]));

export const calendarMultigetBody = (hrefs: string[]) => fc.tuple(props(calendarData), fc.subarray(hrefs), fc.array(weirdText, { maxLength: 2 }))
  .map(([p, some, odd]) => c('calendar-multiget', [p, ...[...some, ...odd].map((h) => d('href', [], {}, h))]));

const cardPropFilter = fc.tuple(fc.constantFrom('FN', 'EMAIL', 'UID', 'TEL', 'X-FOO'), fc.oneof(
  fc.array(textMatch(cr), { maxLength: 2 }),
  fc.constant([cr('is-not-defined')]),
  textMatch(cr).map((t) => [cr('param-filter', [t], { name: 'TYPE' })]),
), attr('test', mostly(fc.constantFrom('anyof', 'allof'), fc.constant('oneof')))).map(([name, children, test]) => cr('prop-filter', [...children], { name, ...test }));

export const addressbookQueryBody = fc.tuple(props(addressData), fc.array(cardPropFilter, { maxLength: 3 }), attr('test', fc.constantFrom('anyof', 'allof')), limit(cr))
  .map(([p, filters, test, l]) => cr('addressbook-query', [p, cr('filter', filters, test), ...(l ? [l] : [])]));

export const syncCollectionBody = (tokens: fc.Arbitrary<string>) => fc.tuple(tokens, mostly(fc.constant('1'), fc.constantFrom('infinite', '2')), props(fc.oneof(calendarData, addressData)), fc.option(nresults, { nil: undefined, freq: 4 }))
  .map(([token, level, p, n]) => d('sync-collection', [d('sync-token', [], {}, token), d('sync-level', [], {}, level), p, ...(n === undefined ? [] : [d('limit', [d('nresults', [], {}, n)])])]));

const collectionProps = fc.array(propValue, { maxLength: 3 });

export const mkcolBody = fc.tuple(collectionProps, fc.constantFrom([d('collection')], [d('collection'), c('calendar')], [d('collection'), cr('addressbook')], [d('collection'), x('urn:x-fuzz', 'thing')]))
  .map(([ps, types]) => d('mkcol', [d('set', [d('prop', [d('resourcetype', [...types]), ...ps])])]));

export const mkcalendarBody = collectionProps.map((ps) => c('mkcalendar', [d('set', [d('prop', ps)])]));
