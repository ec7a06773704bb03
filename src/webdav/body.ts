import type { IncomingMessage } from 'node:http';

/** How long the rest of a refused body is read and thrown away before the connection is cut. */
const DISCARD_MS = 5_000;

/**
 * Reads a request body of at most `limit` bytes; undefined when it is larger. The rest
 * of a refused body is read and discarded, not cut off: a client still sending (a
 * chunked upload, or one that waited for 100 Continue) then receives the 413 instead of
 * a connection reset (closing a connection with unread data resets it), and the connection
 * can serve the next request. A client that keeps sending past DISCARD_MS is cut off.
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  // A declared length over the limit is refused before anything is read.
  if (Number(req.headers['content-length'] ?? '0') > limit) {
    discardBody(req);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd);
      discardBody(req);
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/** Reads and drops what is left of a refused body (see readBoundedBody), for at most DISCARD_MS. */
function discardBody(req: IncomingMessage): void {
  req.resume(); // flowing with no listener: what arrives is dropped
  const cut = setTimeout(() => req.destroy(), DISCARD_MS).unref();
  req.once('end', () => clearTimeout(cut)).once('close', () => clearTimeout(cut));
}
