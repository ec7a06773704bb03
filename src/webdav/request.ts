import type { Context } from 'koa';
import { Readable } from 'node:stream';
import type { Store, User } from '../store/types.js';
import type { DavContext } from './context.js';
import { readBoundedBody } from './body.js';
import { DavError } from './errors.js';
import { parseXml, type XmlElement } from './xml/parse.js';

/** One WebDAV request: what the method handlers need from HTTP, and nothing else. */
export class DavRequest {
  private body: Buffer | undefined;

  constructor(
    readonly context: DavContext,
    readonly koa: Context,
    readonly user: User,
  ) {}

  get store(): Store {
    return this.context.store;
  }

  get method(): string {
    return this.koa.method;
  }

  get path(): string {
    return this.koa.path;
  }

  header(name: string): string | undefined {
    const v = this.koa.get(name);
    return v === '' ? undefined : v;
  }

  /**
   * Reads the body, refusing more than `limit` bytes. A declared Content-Length over
   * the limit is refused before anything is read.
   */
  async readBody(limit = this.context.limits.maxRequestBytes, tooLarge?: () => DavError): Promise<Buffer> {
    if (this.body) return this.body;
    const body = await readBoundedBody(this.koa.req, limit);
    if (!body) throw tooLarge?.() ?? new DavError(413, `Request body larger than ${limit} bytes`);
    this.body = body;
    return this.body;
  }

  /** The XML body, or undefined when there is none. */
  async readXml(): Promise<XmlElement | undefined> {
    const body = await this.readBody();
    const text = body.toString('utf8');
    if (text.trim() === '') return undefined;
    return parseXml(text, this.context.limits);
  }

  /** RFC 8144 Prefer: return=minimal, and Microsoft's older Brief: t. */
  get wantsMinimal(): boolean {
    const prefer = this.header('Prefer') ?? '';
    return /\breturn=minimal\b/i.test(prefer) || /^t$/i.test(this.header('Brief') ?? '');
  }

  /** Depth header: 0, 1 or infinity; `fallback` when absent. */
  depth(fallback: '0' | '1' | 'infinity'): '0' | '1' | 'infinity' {
    const d = (this.header('Depth') ?? fallback).trim().toLowerCase();
    if (d === '0' || d === '1' || d === 'infinity') return d;
    throw new DavError(400, `Invalid Depth header: ${d}`);
  }

  /** Sets status and body; without a body the response is empty and has no Content-Type. */
  respond(status: number, body?: string | Buffer, contentType?: string): void {
    this.koa.status = status;
    if (body === undefined || body === '') {
      this.koa.body = '';
      this.koa.remove('Content-Type');
      return;
    }
    if (contentType) this.koa.type = contentType;
    // Encoded once here: given a string, koa would measure its UTF-8 length and Node
    // encode it again, two full passes over large multistatus bodies.
    this.koa.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  }

  /**
   * A body written as it is produced. Everything that can fail must be checked before:
   * the status line is sent with the first chunk.
   */
  respondStream(status: number, chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>, contentType: string): void {
    this.koa.status = status;
    this.koa.type = contentType;
    this.koa.body = Readable.from(chunks, { objectMode: false });
  }

  /** A 207 whose responses are written as they are produced (see multistatusChunks). */
  respondMultistatus(chunks: AsyncIterable<string>): void {
    this.respondStream(207, chunks, 'application/xml; charset=utf-8');
  }

  setHeader(name: string, value: string): void {
    this.koa.set(name, value);
  }
}
