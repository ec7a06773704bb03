import type { CollectionFields, StoreSession, User } from '../store/types.js';
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

/**
 * A property kept as a dead property under rules of a protocol layer (a setting that
 * points at another resource): PROPFIND reads it as stored, PROPPATCH hands it to
 * `write`, which checks the value and stores it where it belongs.
 */
export interface GuardedProperty {
  name: QName;
  appliesTo(r: Resource): boolean;
  /** What PROPFIND answers while nothing is stored (the RFC's default); absent: not found. */
  unset?: Xml;
  /** In the PROPPATCH's transaction: stores a set (the element) or a remove (undefined); throws DavError to refuse. */
  write(tx: StoreSession, r: Resource, value: XmlElement | undefined): Promise<void>;
}

export class PropertyTable {
  private readonly byName = new Map<QName, LiveProperty>();
  private readonly guardedByName = new Map<QName, GuardedProperty>();

  guard(p: GuardedProperty): void {
    this.guardedByName.set(p.name, p);
  }

  guarded(name: QName): GuardedProperty | undefined {
    return this.guardedByName.get(name);
  }

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
