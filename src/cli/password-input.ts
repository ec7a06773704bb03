import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { text } from 'node:stream/consumers';

/** Reads one line without echoing it (on a terminal). */
async function readHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, encoding, done) {
      if (!muted) process.stderr.write(chunk, encoding as BufferEncoding);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    process.stderr.write(prompt);
    muted = true;
    return await rl.question('');
  } finally {
    muted = false;
    process.stderr.write('\n');
    rl.close();
  }
}

export interface NewPassword {
  password: string;
  /** Made here: the caller prints it, once. */
  generated: boolean;
}

/**
 * A new password: generated when asked (`--generate`), else DAVENPORT_USER_PASSWORD,
 * else asked twice on a terminal, else the first line of stdin (`echo … | davenport user passwd bob`).
 */
export async function newPassword(generate: boolean): Promise<NewPassword> {
  if (generate) return { password: randomBytes(15).toString('base64url'), generated: true };
  const given = process.env.DAVENPORT_USER_PASSWORD;
  if (given) return { password: given, generated: false };
  if (process.stdin.isTTY) {
    const password = await readHidden('Password: ');
    if ((await readHidden('Repeat password: ')) !== password) throw new Error('the passwords differ');
    return { password, generated: false };
  }
  const piped = await text(process.stdin);
  return { password: piped.split(/\r?\n/)[0] ?? '', generated: false };
}
