import type { Resource } from './resource.js';

/**
 * What a request URL points at: the resource if it exists, and otherwise the parent a
 * method like PUT or MKCOL would create it in.
 */
export interface Target {
  path: string;
  resource: Resource | undefined;
  parent: Resource | undefined;
  /** Last path segment, decoded: the name a new member would get. */
  name: string;
}
