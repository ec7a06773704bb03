import { createHash } from 'node:crypto';
import type { User } from '../store/types.js';
import { principalPath } from '../webdav/paths.js';
import { escapeXml } from '../webdav/xml/write.js';

// An Apple configuration profile (.mobileconfig) that sets up the user's calendars and
// contacts on iOS and macOS: one CalDAV and one CardDAV account payload pointing at the
// principal. No password in it: the device asks for one (an app password) on install.

export const MOBILECONFIG_TYPE = 'application/x-apple-aspen-config';

type Plist = string | number | boolean | Plist[] | { [key: string]: Plist };

function plist(value: Plist): string {
  if (typeof value === 'string') return `<string>${escapeXml(value)}</string>`;
  if (typeof value === 'number') return `<integer>${value}</integer>`;
  if (typeof value === 'boolean') return value ? '<true/>' : '<false/>';
  if (Array.isArray(value)) return `<array>${value.map(plist).join('')}</array>`;
  return `<dict>${Object.entries(value).map(([k, v]) => `<key>${escapeXml(k)}</key>${plist(v)}`).join('')}</dict>`;
}

/** A name-based UUID (RFC 9562 version 5 layout): the same server and user give the same profile, so installing again replaces it. */
function stableUuid(name: string): string {
  const b = createHash('sha1').update(name).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`.toUpperCase();
}

/** The profile for `user` on the server at `origin` (scheme://host[:port], as clients reach it). */
export function appleProfile(origin: string, user: User): string {
  const url = new URL(origin);
  const ssl = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : ssl ? 443 : 80;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const reverseHost = host.split('.').reverse().join('.');
  const id = `${reverseHost}.davenport.${user.username}`;
  const description = `${user.displayName ?? user.username} on ${host}`;
  const account = (kind: 'CalDAV' | 'CardDAV', what: string, type: string): Plist => ({
    [`${kind}AccountDescription`]: `${what} (${description})`,
    [`${kind}HostName`]: host,
    [`${kind}Port`]: port,
    [`${kind}PrincipalURL`]: principalPath(user.username),
    [`${kind}UseSSL`]: ssl,
    [`${kind}Username`]: user.username,
    PayloadDescription: `${what} from Davenport`,
    PayloadDisplayName: `${what} (${host})`,
    PayloadIdentifier: `${id}.${kind.toLowerCase()}`,
    PayloadType: type,
    PayloadUUID: stableUuid(`${origin}\0${user.username}\0${kind}`),
    PayloadVersion: 1,
  });
  const profile: Plist = {
    PayloadContent: [
      account('CalDAV', 'Calendars', 'com.apple.caldav.account'),
      account('CardDAV', 'Contacts', 'com.apple.carddav.account'),
    ],
    PayloadDescription: `Calendars and contacts of ${user.username} on the Davenport server ${host}. You will be asked for a password: use an app password.`,
    PayloadDisplayName: `Davenport: ${description}`,
    PayloadIdentifier: id,
    PayloadRemovalDisallowed: false,
    PayloadType: 'Configuration',
    PayloadUUID: stableUuid(`${origin}\0${user.username}`),
    PayloadVersion: 1,
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">${plist(profile)}</plist>
`;
}
