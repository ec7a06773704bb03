import pg from 'pg';
import { JobWakeups } from '../job-wakeups.js';

/** The channel every node listens on; a notification's payload is the queue's name. */
export const JOBS_CHANNEL = 'davenport_jobs';
const RECONNECT_MS = 1000;

/**
 * Wakes this node's job listeners whenever any node commits a job (NOTIFY is delivered
 * at commit, to every listening connection). LISTEN holds for one connection, so it has
 * one of its own, not a pooled one that others would be handed: opened when the first
 * listener comes, opened again whenever it drops. Notifications sent meanwhile are
 * lost, so every listener is woken once the connection listens again.
 */
export class JobListener {
  private readonly wakeups = new JobWakeups();
  private client: pg.Client | undefined;
  private listening = false;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly connectionString: string) {}

  on(queue: string, listener: () => void): () => void {
    const off = this.wakeups.on(queue, listener);
    if (this.listening) this.wakeups.wake(queue);
    else if (!this.client && !this.reconnect && !this.closed) void this.listen();
    return off;
  }

  private async listen(): Promise<void> {
    this.reconnect = undefined;
    const client = new pg.Client({ connectionString: this.connectionString });
    this.client = client;
    client.on('notification', (message) => this.wakeups.wake(message.payload ?? ''));
    client.on('error', () => this.dropped(client));
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch {
      this.dropped(client);
      return;
    }
    if (this.client !== client) return; // closed or dropped meanwhile
    this.listening = true;
    this.wakeups.wakeAll();
  }

  private dropped(client: pg.Client): void {
    if (this.client !== client) return; // already handled: 'error' and 'end' both come
    if (this.listening) console.warn('PostgreSQL job listener connection lost; reconnecting');
    this.client = undefined;
    this.listening = false;
    client.end().catch(() => {});
    if (!this.closed) this.reconnect = setTimeout(() => void this.listen(), RECONNECT_MS).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => {});
  }
}
