import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Accounts } from '../accounts/accounts.js';
import { ignoredEnvironment, loadConfig } from '../config.js';
import { createServerDav, startServer } from '../http/server.js';
import { openStore } from '../store/open.js';
import { parseCommand } from './usage.js';

const USAGE = `usage: davenport serve
  Opens (and migrates) the store, creates the administrator "admin" on the first start
  (password from DAVENPORT_ADMIN_PASSWORD, else made up and printed once), and serves
  until SIGINT/SIGTERM. Configuration: config/default.json, DAVENPORT_CONFIG and
  DAVENPORT_* variables (see the README).`;

const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_MS = 1000;

/**
 * `npm start`: opens (and migrates) the store, creates the admin user on first start,
 * serves until SIGINT/SIGTERM, then shuts down gracefully. Resolves undefined: the
 * process goes on serving.
 */
export async function run(args: string[]): Promise<number | undefined> {
  if (!parseCommand(args, USAGE, {}, [0, 0])) return 0;
  const config = loadConfig();
  // Written asynchronously, in writes of at least 4 KB or once a second: one write per
  // access-log line cost a quarter of GET throughput (pino flushes what is left when the
  // process exits).
  const log = pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS }));
  for (const v of ignoredEnvironment()) log[v.warn ? 'warn' : 'debug']({ variable: v.name }, v.reason);
  const store = await openStore(config);
  if ((await store.countUsers()) === 0) {
    const given = process.env.DAVENPORT_ADMIN_PASSWORD;
    const password = given || randomBytes(12).toString('base64url');
    const accounts = new Accounts(createServerDav(store, config.limits), config.minPasswordLength);
    await accounts.create({ name: 'admin', password, displayName: 'Administrator', admin: true });
    if (given) log.info('created user "admin" with the password from DAVENPORT_ADMIN_PASSWORD');
    // Printed once, to the terminal only: it is not stored anywhere in clear.
    else process.stdout.write(`\nCreated user "admin" with password: ${password}\nChange it with: npm run user -- passwd admin\n\n`);
  }
  const server = await startServer(config, store, log);
  const where = store.engine === 'sqlite' ? `data in ${config.dataDir}` : 'data in PostgreSQL';
  log.info(`Davenport listening on ${server.url} (${where})`);
  log.flush(); // what start-up said is out at once, not with the first batch

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing requests and closing`);
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return undefined;
}
