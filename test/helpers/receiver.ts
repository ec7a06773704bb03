import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP receiver on loopback for what the server sends out (web-hook
// notifications, WebDAV-Push messages): it records every request and answers as the
// test says, possibly after holding the request open.

export interface ReceivedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When the body had arrived (epoch ms). */
  receivedAt: number;
  /** When the answer went out (epoch ms); undefined while held. */
  answeredAt?: number;
}

export interface Reply {
  status: number;
  /** Hold the request this long before answering. */
  delayMs?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Receiver {
  /** Base URL, `http://127.0.0.1:<port>`; any path is accepted. */
  url: string;
  /** Every request so far, in arrival order. */
  requests: ReceivedRequest[];
  /** How each request is answered; 200 unless replaced. May await (read the server's state, say). */
  reply: (request: ReceivedRequest) => Reply | Promise<Reply>;
  /** Resolves with the requests once at least `count` have arrived; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const waiters = new Set<() => void>();
  const receiver: Receiver = {
    url: '',
    requests: [],
    reply: () => ({ status: 200 }),
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (receiver.requests.length < count) return;
          cleanUp();
          resolve(receiver.requests);
        };
        const timer = setTimeout(() => {
          cleanUp();
          reject(new Error(`receiver: ${receiver.requests.length} requests after ${timeoutMs} ms, expected ${count}`));
        }, timeoutMs);
        const cleanUp = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: ReceivedRequest = {
      method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), receivedAt: Date.now(),
    };
    receiver.requests.push(request);
    for (const wake of [...waiters]) wake();
    let reply: Reply;
    try {
      reply = await receiver.reply(request);
    } catch {
      reply = { status: 500 }; // the reply failed (the server it reads from has closed, say): no hung request
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    request.answeredAt = Date.now();
    res.writeHead(reply.status, reply.headers).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
