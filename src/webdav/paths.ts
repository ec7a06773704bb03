// The URL space (design.md): everything lives under /dav/.

export const DAV_ROOT = '/dav/';
export const PRINCIPALS = `${DAV_ROOT}principals/`;

/** Encodes one path segment: everything outside RFC 3986 pchar is percent-encoded. */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(40|3A|2B|2C|3B|3D|24|26|21|27|28|29|2A)/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

export function principalPath(username: string): string {
  return `${PRINCIPALS}${encodeSegment(username)}/`;
}

export function homePath(homeSegment: string, username: string): string {
  return `${DAV_ROOT}${homeSegment}/${encodeSegment(username)}/`;
}

export function collectionPath(homeSegment: string, username: string, uri: string): string {
  return `${homePath(homeSegment, username)}${encodeSegment(uri)}/`;
}

export function objectPath(collectionHref: string, uri: string): string {
  return `${collectionHref}${encodeSegment(uri)}`;
}

/**
 * Splits a request path into decoded segments. Returns undefined for paths that
 * cannot be decoded or try to climb out ("..").
 */
export function splitPath(path: string): string[] | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  try {
    const decoded = parts.map((p) => decodeURIComponent(p));
    if (decoded.some((p) => p === '.' || p === '..' || p.includes('/'))) return undefined;
    return decoded;
  } catch {
    return undefined;
  }
}

/** Accepts absolute URLs and paths in hrefs (multiget, Destination) and yields the path. */
export function hrefToPath(href: string): string {
  const trimmed = href.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) {
    try {
      return new URL(trimmed).pathname;
    } catch {
      return trimmed;
    }
  }
  return trimmed;
}
