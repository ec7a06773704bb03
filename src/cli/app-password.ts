import { issueAppPassword } from '../http/auth.js';
import { AccountError } from '../accounts/errors.js';
import { accountsOn, withStore } from './store-access.js';
import { parseCommand, subcommand } from './usage.js';

const USAGE = `usage: davenport app-password <command> …

  add <user> <label>      make a password for one program; printed once, alone on the last line
  list <user>             the user's app passwords: label, created, last used
  revoke <user> <label>   delete one: programs using it are refused at once, on every node

Run 'davenport app-password <command> --help' for one command.`;

const COMMANDS = ['add', 'list', 'revoke'] as const;

const HELP: Record<(typeof COMMANDS)[number], string> = {
  add: `usage: davenport app-password add <user> <label>
  Makes a password for one program (a phone, a script), labelled so it can be revoked
  alone. It works as the Basic password on CalDAV/CardDAV and as a Bearer token on the
  JSON API. Shown only this once: it is printed alone on the last line of output.`,
  list: `usage: davenport app-password list <user>
  The user's app passwords, one a line: label, created, last used.`,
  revoke: `usage: davenport app-password revoke <user> <label>
  Deletes the app password: programs using it are refused from their next request.`,
};

const when = (at: number | null) => (at === null ? 'never' : new Date(at).toISOString());

/** `davenport app-password …`: app passwords of a user on the configured store. */
export async function run(args: string[]): Promise<number> {
  const chosen = subcommand(args, USAGE, COMMANDS);
  if (!chosen) return 0;
  const [command, rest] = chosen as [(typeof COMMANDS)[number], string[]];
  const line = parseCommand(rest, HELP[command], {}, command === 'list' ? [1, 1] : [2, 2]);
  if (!line) return 0;
  const [name, label = ''] = line.positionals as [string, string?];
  if (command !== 'list' && label.trim() === '') throw new AccountError('a label must not be empty');
  return withStore(async (store, config) => {
    const user = await accountsOn(store, config).get(name);
    if (command === 'list') {
      for (const p of await store.listAppPasswords(user.id)) console.log(`${p.label}\tcreated ${when(p.createdAt)}\tlast used ${when(p.lastUsedAt)}`);
    } else if (command === 'add') {
      const password = await issueAppPassword(store, user, label);
      if (!password) throw new AccountError(`${name} already has an app password labelled "${label}"`);
      console.log(`app password "${label}" for ${name}, shown only this once:`);
      console.log(password);
    } else {
      if (!(await store.removeAppPassword(user.id, label))) throw new AccountError(`${name} has no app password labelled "${label}"`);
      console.log(`app password "${label}" of ${name} revoked`);
    }
    return 0;
  });
}
