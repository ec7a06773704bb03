import type { Context } from 'koa';
import { epochOfDateTime, parseDateTime } from '../ical/rfc3339.js';
import { badRequest } from './errors.js';

// Query parameters as Google's client sends them: one value each, booleans as
// "true"/"false", times as RFC 3339 with an offset. Anything else is a 400 naming it.

/** A parameter's single value; undefined when absent. */
export function stringParam(ctx: Context, name: string): string | undefined {
  const v = ctx.query[name];
  if (Array.isArray(v)) throw badRequest(`Parameter ${name} may be given once`, name);
  return v;
}

export function booleanParam(ctx: Context, name: string): boolean | undefined {
  const v = stringParam(ctx, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw badRequest(`Invalid boolean value for ${name}: ${v}`, name);
  return v === 'true';
}

/** A positive integer, clamped to `max` as Google does. */
export function countParam(ctx: Context, name: string, fallback: number, max: number): number {
  const v = stringParam(ctx, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw badRequest(`Invalid value for ${name}: ${v}`, name);
  return Math.min(Number(v), max);
}

/** An RFC 3339 date-time with its offset, as epoch ms. */
export function timeParam(ctx: Context, name: string): number | undefined {
  const v = stringParam(ctx, name);
  if (v === undefined) return undefined;
  const parsed = parseDateTime(v);
  if (!parsed || parsed.offsetMs === null) throw badRequest(`Bad Request: ${name} must be an RFC 3339 date-time with a time zone offset`, name);
  return epochOfDateTime({ ...parsed, offsetMs: parsed.offsetMs });
}

export function enumParam<T extends string>(ctx: Context, name: string, values: readonly T[]): T | undefined {
  const v = stringParam(ctx, name);
  if (v !== undefined && !(values as readonly string[]).includes(v)) throw badRequest(`Invalid value for ${name}: ${v}`, name);
  return v as T | undefined;
}
