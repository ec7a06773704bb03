#!/usr/bin/env node
// The `davenport` command: a small dispatcher. Each command is its own module, imported
// only when run, so `davenport user list` loads the store and not the HTTP server or
// the iCalendar stack.

import { ConfigError } from '../config.js';
import { UsageError } from './usage.js';

interface Command {
  summary: string;
  load(): Promise<{ run(args: string[]): Promise<number | undefined> }>;
}

const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the server (npm start)', load: () => import('./serve.js') },
  user: { summary: 'add|passwd|list|disable|enable|delete users', load: () => import('./user.js') },
  'app-password': { summary: 'add|list|revoke passwords for programs', load: () => import('./app-password.js') },
  import: { summary: 'import USER COLLECTION FILE: an .ics or .vcf into a calendar or address book', load: () => import('./import.js') },
  export: { summary: 'export USER COLLECTION [FILE]: a calendar as .ics, an address book as .vcf', load: () => import('./export.js') },
  backup: { summary: 'backup FILE: a consistent copy of the SQLite store, safe while serving', load: () => import('./backup.js') },
  check: { summary: 'check the store: integrity, migrations, unreadable objects', load: () => import('./check.js') },
  'migrate-store': { summary: 'migrate-store --to TARGET: copy the store to PostgreSQL or another SQLite', load: () => import('./migrate-store.js') },
};

const USAGE = `usage: davenport <command> [arguments] [--help]
       npm run cli -- <command> …   (from a checkout)

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(15)} ${c.summary}`).join('\n')}

Every command takes --help. Commands work on the configured store (DAVENPORT_DATA_DIR or
DAVENPORT_DATABASE_URL, as the server): run them beside a running server, not instead of it.`;

async function main([name, ...args]: string[]): Promise<number | undefined> {
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`, USAGE);
  return (await command.load()).run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${e.usage}`);
      process.exitCode = 2;
      return;
    }
    // A refusal (AccountError, a bad file) reads best as its message alone.
    console.error(e instanceof ConfigError ? `configuration error: ${e.message}` : `error: ${(e as Error).message}`);
    process.exitCode = 1;
  },
);
