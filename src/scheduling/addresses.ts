import type { StoreSession, User } from '../store/types.js';
import { hrefToPath, principalPath, PRINCIPALS, splitPath } from '../webdav/paths.js';

// Calendar user addresses (RFC 6638 §2.4.1): how iCalendar names a local user. The
// e-mail comes first: Thunderbird and Apple take the first mailto: as the user's own.

/** The user's calendar user addresses, preferred first: mailto:<email>, then the principal URL. */
export function addressesOf(user: User): string[] {
  const principal = principalPath(user.username);
  return user.email ? [`mailto:${user.email}`, principal] : [principal];
}

/** The e-mail of a mailto: address, without parameters (`?subject=`); undefined for other URIs. */
export function mailtoAddress(address: string): string | undefined {
  const m = /^mailto:([^?]*)/i.exec(address.trim());
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!).trim();
  } catch {
    return m[1]!.trim();
  }
}

/** Whether two calendar user addresses name the same user: mailto: compares case-insensitively. */
export function sameAddress(a: string, b: string): boolean {
  const ma = mailtoAddress(a);
  const mb = mailtoAddress(b);
  if (ma !== undefined || mb !== undefined) return ma !== undefined && mb !== undefined && ma.toLowerCase() === mb.toLowerCase();
  return hrefToPath(a).replace(/\/?$/, '/') === hrefToPath(b).replace(/\/?$/, '/');
}

/** Whether `address` is one of the user's. */
export function isAddressOf(user: User, address: string): boolean {
  return addressesOf(user).some((a) => sameAddress(a, address));
}

/**
 * The local user a calendar user address names: mailto: by e-mail (case-insensitive),
 * or a principal URL (absolute or a path). Undefined for anything else.
 */
export async function findLocalUser(store: StoreSession, address: string): Promise<User | undefined> {
  const email = mailtoAddress(address);
  if (email !== undefined) return email === '' ? undefined : store.getUserByEmail(email);
  const path = hrefToPath(address);
  if (!path.startsWith(PRINCIPALS)) return undefined;
  const segments = splitPath(path);
  if (!segments || segments.length !== 3) return undefined;
  return store.getUser(segments[2]!);
}
