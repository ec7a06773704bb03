import type { Context } from 'koa';
import { readBoundedBody } from '../webdav/body.js';
import { WebError } from './web-error.js';

export interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/** A submitted form: text fields and uploaded files. */
export class Form {
  constructor(private readonly data: FormData | URLSearchParams) {}

  /** A text field, '' when absent. */
  text(name: string): string {
    const value = this.data.get(name);
    return typeof value === 'string' ? value : '';
  }

  async file(name: string): Promise<UploadedFile | undefined> {
    const value = this.data.get(name);
    if (value === null || typeof value === 'string') return undefined;
    return { name: value.name, bytes: Buffer.from(await value.arrayBuffer()) };
  }
}

/**
 * Reads a form POST (url-encoded, or multipart for uploads), no larger than a DAV request
 * may be. Multipart is parsed by the platform's own fetch implementation, not by hand.
 */
export async function readForm(ctx: Context, maxBytes: number): Promise<Form> {
  const type = ctx.get('Content-Type');
  const body = await readBoundedBody(ctx.req, maxBytes);
  if (!body) throw new WebError(413, `The upload is larger than ${Math.floor(maxBytes / 1048576)} MB.`);
  if (/^application\/x-www-form-urlencoded/i.test(type)) return new Form(new URLSearchParams(body.toString('utf8')));
  if (/^multipart\/form-data/i.test(type)) {
    try {
      return new Form(await new Request('http://form.invalid/', { method: 'POST', headers: { 'Content-Type': type }, body: new Uint8Array(body) }).formData());
    } catch {
      throw new WebError(400, 'The form could not be read.');
    }
  }
  throw new WebError(415, 'Forms are sent as application/x-www-form-urlencoded or multipart/form-data.');
}
