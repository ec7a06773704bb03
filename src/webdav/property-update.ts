import type { CollectionFields, DeadProperty, PropertyOwner, StoreSession } from '../store/types.js';
import { DavError } from './errors.js';
import type { PropertyTable, SetPhase } from './properties.js';
import type { Resource } from './resource.js';
import { dav, splitQName, type QName } from './xml/names.js';
import type { XmlElement } from './xml/parse.js';
import { el, serializeElement, textEl, type Xml } from './xml/write.js';
import { statusEl } from './multistatus.js';

/** The outcome of validating a list of set/remove instructions, before anything is written. */
export interface PropertyUpdate {
  fields: CollectionFields;
  deadSet: DeadProperty[];
  deadRemove: { namespace: string; name: string }[];
  /** Guarded properties' writes (PropertyTable.guard), run with the rest. */
  guardedWrites: ((tx: StoreSession) => Promise<void>)[];
  /** Property name → status; all 200 when the update may be applied. */
  statuses: Map<QName, { code: number; error?: DavError }>;
  ok: boolean;
}

export interface PropertyInstruction {
  action: 'set' | 'remove';
  prop: XmlElement;
}

/** The set/remove instructions of a propertyupdate (or a collection-creating set), in document order. */
export function instructionsOf(root: XmlElement): PropertyInstruction[] {
  const out: PropertyInstruction[] = [];
  for (const c of root.children) {
    const action = c.name === dav('set') ? 'set' : c.name === dav('remove') ? 'remove' : undefined;
    if (!action) continue;
    for (const propEl of c.children.filter((x) => x.name === dav('prop'))) {
      for (const prop of propEl.children) out.push({ action, prop });
    }
  }
  return out;
}

/**
 * Validates every instruction against the live property table (RFC 4918 §9.2: all or
 * nothing). Dead properties are allowed where the resource can store them.
 * `skip` names properties the caller handles itself (resourcetype on MKCOL).
 */
export function planPropertyUpdate(
  properties: PropertyTable,
  r: Resource | undefined,
  instructions: PropertyInstruction[],
  phase: SetPhase,
  canStoreDead: boolean,
  skip: QName[] = [],
): PropertyUpdate {
  const plan: PropertyUpdate = { fields: {}, deadSet: [], deadRemove: [], guardedWrites: [], statuses: new Map(), ok: true };
  for (const { action, prop } of instructions) {
    if (skip.includes(prop.name)) {
      plan.statuses.set(prop.name, { code: 200 });
      continue;
    }
    try {
      const live = properties.get(prop.name);
      const applies = live && (r ? live.appliesTo(r) : true);
      const guarded = r && properties.guarded(prop.name);
      if (guarded && guarded.appliesTo(r)) {
        plan.guardedWrites.push(async (tx) => {
          try {
            await guarded.write(tx, r, action === 'set' ? prop : undefined);
          } catch (e) {
            throw e instanceof DavError ? new PropertyRefused(prop.name, e) : e;
          }
        });
      } else if (live && applies) {
        const op = action === 'set' ? live.set : live.remove;
        if (!op) throw new DavError(403, `${prop.name} is protected`, dav('cannot-modify-protected-property'));
        Object.assign(plan.fields, action === 'set' ? live.set!(prop, phase, r) : live.remove!());
      } else if (live) {
        // A live property's name is never shadowed by a dead one.
        throw new DavError(403, `${prop.name} does not apply here`, dav('cannot-modify-protected-property'));
      } else if (!canStoreDead) {
        throw new DavError(403, 'This resource cannot hold dead properties');
      } else {
        const { ns, local } = splitQName(prop.name);
        if (action === 'set') plan.deadSet.push({ namespace: ns, name: local, xml: serializeElement(prop) });
        else plan.deadRemove.push({ namespace: ns, name: local });
      }
      plan.statuses.set(prop.name, { code: 200 });
    } catch (e) {
      if (!(e instanceof DavError)) throw e;
      plan.statuses.set(prop.name, { code: e.status, error: e });
      plan.ok = false;
    }
  }
  if (!plan.ok) failDependents(plan);
  return plan;
}

/** Once one instruction fails, the others fail with it (424): nothing is applied. */
function failDependents(plan: PropertyUpdate): void {
  for (const [name, s] of plan.statuses) if (s.code === 200) plan.statuses.set(name, { code: 424 });
}

/** A guarded property refused its value while the update was applied (the transaction rolls back). */
export class PropertyRefused extends Error {
  constructor(
    readonly property: QName,
    readonly error: DavError,
  ) {
    super(error.message);
  }
}

/** Records a refusal met while applying: the plan then reports it as if found while planning. */
export function refusePlan(plan: PropertyUpdate, refused: PropertyRefused): void {
  plan.statuses.set(refused.property, { code: refused.error.status, error: refused.error });
  plan.ok = false;
  failDependents(plan);
}

/** Writes a validated plan in the caller's transaction. */
export async function applyPropertyUpdate(tx: StoreSession, owner: PropertyOwner, plan: PropertyUpdate): Promise<void> {
  if ('collectionId' in owner && owner.objectUri === '') await tx.updateCollection(owner.collectionId, plan.fields);
  for (const p of plan.deadSet) await tx.setDeadProperty(owner, p);
  for (const p of plan.deadRemove) await tx.removeDeadProperty(owner, p.namespace, p.name);
  for (const write of plan.guardedWrites) await write(tx);
}

/** The propstats reporting a plan's outcome, one per status. */
export function planPropstats(plan: PropertyUpdate): Xml {
  const byCode = new Map<number, { names: Xml; errors: Xml; messages: string[] }>();
  for (const [name, s] of plan.statuses) {
    const group = byCode.get(s.code) ?? { names: '', errors: '', messages: [] };
    group.names += el(name);
    if (s.error?.precondition) group.errors += el(s.error.precondition);
    if (s.error) group.messages.push(s.error.message);
    byCode.set(s.code, group);
  }
  let out = '';
  for (const [code, g] of byCode) {
    const error = g.errors ? el(dav('error'), g.errors) : '';
    const description = g.messages.length ? textEl(dav('responsedescription'), g.messages.join('; ')) : '';
    out += el(dav('propstat'), el(dav('prop'), g.names) + statusEl(code) + error + description);
  }
  return out;
}
