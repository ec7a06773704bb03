import { ConfigError } from '../config.js';
import { appPassword } from './app-password.js';
import { migrateStore } from './migrate-store.js';
import { serve } from './serve.js';
import { user } from './user.js';

const [command, ...args] = process.argv.slice(2);

async function main(): Promise<number | undefined> {
  switch (command) {
    case 'serve':
      await serve();
      return undefined;
    case 'user':
      return user(args);
    case 'app-password':
      return appPassword(args);
    case 'migrate-store':
      return migrateStore(args);
    default:
      console.error('usage: davenport serve | user <add|passwd|list> … | app-password <add|list|revoke> <user> … | migrate-store --to <postgres://…|sqlite:<dir>>');
      return 2;
  }
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (e: unknown) => {
    console.error(e instanceof ConfigError ? `configuration error: ${e.message}` : `error: ${(e as Error).message}`);
    process.exit(1);
  },
);
