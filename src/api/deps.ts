import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { Config } from '../config.js';
import type { User } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';

/** What the JSON API's handlers are given. */
export interface ApiDeps {
  dav: Dav;
  config: Config;
}

/** Set by the API's authentication before any route runs. */
export interface ApiState {
  user: User;
}

/** Routes are registered relative to API_PREFIX (the router's prefix). */
export type ApiRouter = Router<ApiState>;
export type ApiContext = RouterContext<ApiState>;

export const API_PREFIX = '/calendar/v3';
