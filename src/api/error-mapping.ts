import { EventFieldError } from '../ical/event-json-apply.js';
import { DavError } from '../webdav/errors.js';
import { dav } from '../webdav/xml/names.js';
import { ApiError } from './errors.js';

// Errors raised below the API (the WebDAV write path, the iCalendar mapping) in Google's
// shape. A refused precondition is the client's bad input (400), except the ones Google
// has a status of its own for.

const REASONS: Record<number, string> = {
  400: 'invalid', 403: 'forbidden', 404: 'notFound', 409: 'conflict', 410: 'deleted', 412: 'conditionNotMet', 413: 'requestTooLarge',
  429: 'rateLimitExceeded',
};

function fromDav(e: DavError): ApiError {
  if (e.status === 409 && e.precondition?.endsWith('}no-uid-conflict')) return new ApiError(409, 'duplicate', 'The requested identifier already exists.');
  // A write to a calendar the server generates (the birthday calendar): the user may only read it.
  if (e.precondition === dav('need-privileges')) return new ApiError(403, 'forbidden', e.message);
  if (e.status === 403 && e.precondition) return new ApiError(400, 'invalid', e.message);
  if (e.status === 404) return new ApiError(404, 'notFound', 'Not Found');
  return new ApiError(e.status, REASONS[e.status] ?? 'invalid', e.message);
}

/** The API error a thrown value stands for; undefined for anything else (a bug: 500). */
export function apiErrorOf(e: unknown): ApiError | undefined {
  if (e instanceof ApiError) return e;
  if (e instanceof DavError) return fromDav(e);
  if (e instanceof EventFieldError) return new ApiError(400, e.reason, e.message);
  return undefined;
}
