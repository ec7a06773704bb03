import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { checkNewPassword, hashPassword } from '../http/auth.js';
import { addUser, startServer } from '../http/server.js';
import { openStore } from '../store/open.js';

/**
 * `npm start`: opens (and migrates) the store, creates the admin user on first start,
 * serves until SIGINT/SIGTERM, then shuts down gracefully.
 */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel });
  const store = await openStore(config);
  if ((await store.countUsers()) === 0) {
    const given = process.env.DAVENPORT_ADMIN_PASSWORD;
    if (given) checkNewPassword(given, config.minPasswordLength);
    const password = given || randomBytes(12).toString('base64url');
    await addUser(store, config.limits, 'admin', await hashPassword(password), null, 'Administrator');
    if (given) log.info('created user "admin" with the password from DAVENPORT_ADMIN_PASSWORD');
    // Printed once, to the terminal only: it is not stored anywhere in clear.
    else process.stdout.write(`\nCreated user "admin" with password: ${password}\nChange it with: npm run user -- passwd admin\n\n`);
  }
  const server = await startServer(config, store, log);
  const where = store.engine === 'sqlite' ? `data in ${config.dataDir}` : 'data in PostgreSQL';
  log.info(`Davenport listening on ${server.url} (${where})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing requests and closing`);
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
