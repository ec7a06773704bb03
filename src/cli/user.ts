import { AccountError } from '../accounts/errors.js';
import { newPassword } from './password-input.js';
import { accountsOn, withStore } from './store-access.js';
import { parseCommand, subcommand, UsageError } from './usage.js';

const PASSWORD_SOURCES = `The password is asked on a terminal, read from the first line of stdin when piped, taken
from DAVENPORT_USER_PASSWORD, or made up with --generate (printed once, alone on the last line).`;

const USAGE = `usage: davenport user <command> …

  add <name> [--email ADDR] [--display-name TEXT] [--admin] [--generate]
                           create a user with a calendar and an address book
  passwd <name> [--generate]
                           set a user's password (signs their browsers out)
  list                     every user: name, e-mail, display name, flags (admin, disabled)
  disable <name>           the user can no longer sign in anywhere; their data stays
  enable <name>            undo disable
  delete <name> --yes      delete the user with all their calendars, contacts and passwords

${PASSWORD_SOURCES}
Run 'davenport user <command> --help' for one command.`;

const COMMANDS = ['add', 'passwd', 'list', 'disable', 'enable', 'delete'] as const;

const HELP: Record<(typeof COMMANDS)[number], string> = {
  add: `usage: davenport user add <name> [--email ADDR] [--display-name TEXT] [--admin] [--generate]
  Creates a user with a default calendar and address book. A user name has 1 to 64
  letters, digits and . _ @ - (it is part of the user's URLs).
  --email ADDR          e-mail address (also accepted as the log-in name)
  --display-name TEXT   the name clients show
  --admin               may manage users in the web UI
  --generate            make up a password and print it
${PASSWORD_SOURCES}`,
  passwd: `usage: davenport user passwd <name> [--generate]
  Sets the user's password; app passwords stay valid, browsers are signed out.
${PASSWORD_SOURCES}`,
  list: `usage: davenport user list
  Every user, one a line, tab-separated: name, e-mail, display name and, when there are
  any, flags (admin, disabled).`,
  disable: `usage: davenport user disable <name>
  The user can no longer sign in (password, app passwords, browser); nothing is deleted.`,
  enable: `usage: davenport user enable <name>
  Lets a disabled user sign in again.`,
  delete: `usage: davenport user delete <name> --yes
  Deletes the user and everything they own: calendars, address books, app passwords,
  public links. There is no undo (take a backup first: davenport backup FILE).`,
};

/** `davenport user …`: user administration on the configured store, with the web admin's rules. */
export async function run(args: string[]): Promise<number> {
  const chosen = subcommand(args, USAGE, COMMANDS);
  if (!chosen) return 0;
  const [command, rest] = chosen as [(typeof COMMANDS)[number], string[]];
  const usage = HELP[command];
  switch (command) {
    case 'list': {
      if (!parseCommand(rest, usage, {}, [0, 0])) return 0;
      return withStore(async (store) => {
        for (const u of await store.listUsers()) {
          const flags = [u.admin && 'admin', u.disabled && 'disabled'].filter(Boolean).join(',');
          // The flags column only when there are flags: the first three are what scripts have read so far.
          console.log([u.username, u.email ?? '', u.displayName ?? '', ...(flags ? [flags] : [])].join('\t'));
        }
        return 0;
      });
    }
    case 'add': {
      const line = parseCommand(rest, usage, {
        email: { type: 'string' }, 'display-name': { type: 'string' }, admin: { type: 'boolean' }, generate: { type: 'boolean' },
      }, [1, 1]);
      if (!line) return 0;
      const name = line.positionals[0]!;
      return withStore(async (store, config) => {
        const accounts = accountsOn(store, config);
        // Refused before a password is asked for, not after.
        if (await store.getUser(name)) throw new AccountError(`user ${name} already exists`, 'name');
        const { password, generated } = await newPassword(line.values.generate ?? false);
        await accounts.create({
          name, password, email: line.values.email, displayName: line.values['display-name'], admin: line.values.admin ?? false,
        });
        console.log(`created user ${name}${generated ? ' with the password:' : ''}`);
        if (generated) console.log(password);
        return 0;
      });
    }
    case 'passwd': {
      const line = parseCommand(rest, usage, { generate: { type: 'boolean' } }, [1, 1]);
      if (!line) return 0;
      const name = line.positionals[0]!;
      return withStore(async (store, config) => {
        const accounts = accountsOn(store, config);
        await accounts.get(name);
        const { password, generated } = await newPassword(line.values.generate ?? false);
        await accounts.setPassword(name, password);
        console.log(`password of ${name} changed${generated ? ' to:' : ''}`);
        if (generated) console.log(password);
        return 0;
      });
    }
    case 'disable':
    case 'enable': {
      const line = parseCommand(rest, usage, {}, [1, 1]);
      if (!line) return 0;
      const name = line.positionals[0]!;
      return withStore(async (store, config) => {
        await accountsOn(store, config).setDisabled(name, command === 'disable');
        console.log(`user ${name} ${command}d`);
        return 0;
      });
    }
    case 'delete': {
      const line = parseCommand(rest, usage, { yes: { type: 'boolean' } }, [1, 1]);
      if (!line) return 0;
      const name = line.positionals[0]!;
      if (!line.values.yes) throw new UsageError(`deleting ${name} deletes all their data: add --yes to confirm`, usage);
      return withStore(async (store, config) => {
        await accountsOn(store, config).delete(name);
        console.log(`user ${name} deleted with all their data`);
        return 0;
      });
    }
  }
}
