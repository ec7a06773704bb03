import type { Context } from 'koa';
import { readBoundedBody } from '../webdav/body.js';
import { ApiError, badRequest } from './errors.js';

/** The most a JSON request body may hold: an event with a few hundred attendees fits many times over. */
const MAX_JSON_BYTES = 1024 * 1024;

/** Reads and parses a JSON object body; 400 for anything else, 413 when too large. */
export async function readJsonBody(ctx: Context): Promise<Record<string, unknown>> {
  const tooLarge = () => new ApiError(413, 'requestTooLarge', `The request body is larger than ${MAX_JSON_BYTES} bytes`);
  const body = await readBoundedBody(ctx.req, MAX_JSON_BYTES);
  if (!body) throw tooLarge();
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'parseError', 'Parse Error');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('The request body must be a JSON object');
  return value as Record<string, unknown>;
}
