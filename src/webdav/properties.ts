import type { CollectionFields, User } from '../store/types.js';
import type { Resource } from './resource.js';
import type { QName } from './xml/names.js';
import type { XmlElement } from './xml/parse.js';
import type { Xml } from './xml/write.js';

export interface PropertyContext {
  user: User;
}

/** Whether a set happens while creating the collection (MKCOL or the like) or later. */
export type SetPhase = 'create' | 'update';

/**
 * A live property, defined once: who has it, how to read it, whether a client may set
 * it. PROPFIND (prop, allprop, propname), PROPPATCH, MKCOL and reports all read this table.
 */
export interface LiveProperty {
  name: QName;
  appliesTo(r: Resource): boolean;
  /** The property's content as XML; undefined when this resource has no value. */
  get(r: Resource, ctx: PropertyContext): Xml | undefined;
  /** Absent = protected. Returns the collection fields to store; throws DavError when invalid. */
  set?(value: XmlElement, phase: SetPhase, r: Resource | undefined): CollectionFields;
  /** Absent = protected. */
  remove?(): CollectionFields;
  /** RFC 4918 §9.1: allprop may leave out expensive properties. Default true. */
  inAllprop?: boolean;
}

export class PropertyTable {
  private readonly byName = new Map<QName, LiveProperty>();

  define(...props: LiveProperty[]): void {
    for (const p of props) {
      if (this.byName.has(p.name)) throw new Error(`live property ${p.name} defined twice`);
      this.byName.set(p.name, p);
    }
  }

  get(name: QName): LiveProperty | undefined {
    return this.byName.get(name);
  }

  /** Live properties this resource has (for allprop and propname). */
  forResource(r: Resource): LiveProperty[] {
    return [...this.byName.values()].filter((p) => p.appliesTo(r));
  }
}
