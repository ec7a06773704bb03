import type { Logger } from 'pino';
import { loadConfig } from '../../src/config.js';
import { BCRYPT_ROUNDS } from '../../src/http/auth.js';
import { addUser } from '../../src/accounts/index.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { freshStoreLocation, type StoreLocation } from './store.js';

export interface TestUser {
  name: string;
  password: string;
}

export const ALICE: TestUser = { name: 'alice', password: 'alice-secret' };
export const BOB: TestUser = { name: 'bob', password: 'bob-secret' };

export interface DavResponse {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
}

export interface TestServer {
  url: string;
  server: RunningServer;
  /** The node's own connection to the store (for set-up that has no HTTP form). */
  store: Store;
  dataDir: string;
  /** Where the store is (with dataDir, the database URL on PostgreSQL). */
  location: StoreLocation;
  /** An HTTP request as `user` (alice by default); redirects are not followed. */
  request(method: string, path: string, options?: { body?: string | Buffer; headers?: Record<string, string>; user?: TestUser | null }): Promise<DavResponse>;
  /** Another node of the same deployment: its own server and store connection, the same database. */
  startAnotherNode(): Promise<TestServer>;
  close(): Promise<void>;
}

/**
 * The real server on a random loopback port over a fresh store (the suite's engine:
 * see helpers/store.ts), with users alice (alice@example.com) and bob. `log`: where the
 * server logs (to read its lines); by default nowhere.
 */
export async function startTestServer(overrides: Record<string, string> = {}, log?: Logger): Promise<TestServer> {
  const location = await freshStoreLocation();
  const node = await startNode(location, overrides, location.drop, log);
  await addUser(node.server.dav, { name: ALICE.name, passwordHash: testUserHash(ALICE), email: 'alice@example.com', displayName: 'Alice Example' });
  await addUser(node.server.dav, { name: BOB.name, passwordHash: testUserHash(BOB), email: 'bob@example.com', displayName: null });
  return node;
}

// The product's bcrypt hashes of the test users' passwords (hashPassword), made once
// here: a hash costs ~150 ms of CPU and every test file starts servers with these users.
// Signing in checks them as any other; a change of the product's cost shows up here.
const TEST_USER_HASHES: Record<string, string> = {
  'alice-secret': '$2b$11$zzqpAUF0NJvXOINTb6T13uVEjRwa85C4eKQGno6y4nrKXhyWV0Lr6',
  'bob-secret': '$2b$11$6pJlNFQUhaVd6yuINaZQ5e55XbXC6o538MGIMWxUXLMBRtX3CLbzi',
};
function testUserHash(user: TestUser): string {
  const hash = TEST_USER_HASHES[user.password];
  if (!hash?.startsWith(`$2b$${BCRYPT_ROUNDS}$`)) throw new Error(`no hash at the product's cost (${BCRYPT_ROUNDS}) for ${user.name}: make one with hashPassword`);
  return hash;
}

/** The real server on a store that already exists (a copy); closing it removes the store. */
export function startServerAt(location: StoreLocation, overrides: Record<string, string> = {}): Promise<TestServer> {
  return startNode(location, overrides, location.drop);
}

async function startNode(location: StoreLocation, overrides: Record<string, string>, cleanup: () => Promise<void>, log?: Logger): Promise<TestServer> {
  const { dataDir } = location;
  const config = loadConfig({
    DAVENPORT_HOST: '127.0.0.1', DAVENPORT_PORT: '0', DAVENPORT_DATA_DIR: dataDir, DAVENPORT_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(location.databaseUrl ? { DAVENPORT_DATABASE_URL: location.databaseUrl, DAVENPORT_DATABASE_POOL_SIZE: '4' } : {}),
    ...overrides,
  });
  const store = await openStore(config);
  const server = await startServer(config, store, log);
  const base = server.url.replace(/\/$/, '');
  return {
    url: server.url,
    server,
    store,
    dataDir,
    location,
    async request(method, path, options = {}) {
      const user = options.user === undefined ? ALICE : options.user;
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (user) headers.Authorization = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
      const res = await fetch(`${base}${path}`, { method, headers, body: options.body as BodyInit | undefined, redirect: 'manual' });
      const bytes = Buffer.from(await res.arrayBuffer());
      return { status: res.status, headers: res.headers, text: bytes.toString('utf8'), bytes };
    },
    startAnotherNode: () => startNode(location, overrides, async () => {}),
    async close() {
      await server.close();
      await cleanup();
    },
  };
}
