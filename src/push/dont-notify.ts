// The Push-Dont-Notify request header (draft-bitfire-webdav-push §"Push-Dont-Notify"):
// `*`, or a list of quoted absolute registration URLs the client does not want told of
// its own change. Invalid values are ignored, as the draft requires.

/** Everyone is spared ('*'), or the registrations whose URLs end in these public ids. */
export type Spared = '*' | string[];

/** The public ids of the registrations a request spares; [] when none or the header is invalid. */
export function sparedBy(header: string | undefined, registrationPath: (publicId: string) => string): Spared {
  if (!header) return [];
  if (header.trim() === '*') return '*';
  const spared: string[] = [];
  for (const m of header.matchAll(/"([^"]*)"/g)) {
    let url: URL;
    try {
      url = new URL(m[1]!);
    } catch {
      continue;
    }
    const publicId = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
    if (publicId && url.pathname === registrationPath(publicId)) spared.push(publicId);
  }
  return spared;
}
