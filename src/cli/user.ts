import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { loadConfig } from '../config.js';
import { checkNewPassword, hashPassword } from '../http/auth.js';
import { addUser } from '../http/server.js';
import { openStore } from '../store/open.js';

const USAGE = `usage: npm run user -- <command>
  add <name> [--email addr] [--display-name text]   create a user (password from DAVENPORT_USER_PASSWORD or asked)
  passwd <name>                                     set a user's password
  list                                              list users`;

/** Reads one line without echoing it (on a terminal). */
async function readHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, encoding, done) {
      if (!muted) process.stdout.write(chunk, encoding as BufferEncoding);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  try {
    process.stdout.write(prompt);
    muted = true;
    return await rl.question('');
  } finally {
    muted = false;
    process.stdout.write('\n');
    rl.close();
  }
}

async function askPassword(minLength: number): Promise<string> {
  const given = process.env.DAVENPORT_USER_PASSWORD;
  const password = given || (await readHidden('Password: '));
  checkNewPassword(password, minLength);
  if (!given && process.stdin.isTTY && (await readHidden('Repeat password: ')) !== password) throw new Error('the passwords differ');
  return password;
}

function option(args: string[], name: string): string | null {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : null;
}

/** `npm run user -- …`: user administration on the configured store. */
export async function user(args: string[]): Promise<number> {
  const [command, name] = args;
  const config = loadConfig();
  const store = await openStore(config);
  try {
    switch (command) {
      case 'add': {
        if (!name || !/^[A-Za-z0-9._@-]+$/.test(name)) throw new Error('user names may use letters, digits and . _ @ -');
        if (await store.getUser(name)) throw new Error(`user ${name} already exists`);
        const hash = await hashPassword(await askPassword(config.minPasswordLength));
        await addUser(store, config.limits, name, hash, option(args, '--email'), option(args, '--display-name'));
        console.log(`created user ${name}`);
        return 0;
      }
      case 'passwd': {
        const existing = name ? await store.getUser(name) : undefined;
        if (!existing) throw new Error(`no user ${name ?? ''}`);
        await store.setPasswordHash(existing.id, await hashPassword(await askPassword(config.minPasswordLength)));
        console.log(`password of ${name} changed`);
        return 0;
      }
      case 'list':
        for (const u of await store.listUsers()) console.log(`${u.username}\t${u.email ?? ''}\t${u.displayName ?? ''}`);
        return 0;
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await store.close();
  }
}
