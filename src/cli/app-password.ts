import { loadConfig } from '../config.js';
import { issueAppPassword } from '../http/auth.js';
import { openStore } from '../store/open.js';

const USAGE = `usage: npm run cli -- app-password <command>
  add <user> <label>      make a password for one program; printed once, alone on the last line
  list <user>             the user's app passwords: label, created, last used
  revoke <user> <label>   delete one: programs using it are refused at once`;

const when = (at: number | null) => (at === null ? 'never' : new Date(at).toISOString());

/** `npm run cli -- app-password …`: app passwords of a user on the configured store. */
export async function appPassword(args: string[]): Promise<number> {
  const [command, name, label = ''] = args;
  const wellFormed = command === 'list' || ((command === 'add' || command === 'revoke') && label.trim() !== '');
  if (!name || !wellFormed) {
    console.error(USAGE);
    return 2;
  }
  const store = await openStore(loadConfig());
  try {
    const user = await store.getUser(name);
    if (!user) throw new Error(`no user ${name}`);
    if (command === 'list') {
      for (const p of await store.listAppPasswords(user.id)) console.log(`${p.label}\tcreated ${when(p.createdAt)}\tlast used ${when(p.lastUsedAt)}`);
    } else if (command === 'add') {
      const password = await issueAppPassword(store, user, label);
      if (!password) throw new Error(`${name} already has an app password labelled "${label}"`);
      console.log(`app password "${label}" for ${name}, shown only this once:`);
      console.log(password);
    } else {
      if (!(await store.removeAppPassword(user.id, label))) throw new Error(`${name} has no app password labelled "${label}"`);
      console.log(`app password "${label}" of ${name} revoked`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
