// The part of http_ece 1.2 (RFC 8188 / RFC 8291 encrypted content encoding) the tests
// use; the package ships no types.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';

  export interface DecryptParams {
    version: 'aes128gcm';
    /** The receiver's key pair; the sender's public key comes in the aes128gcm header. */
    privateKey: ECDH;
    authSecret: Buffer | string;
  }

  export function decrypt(buffer: Buffer, params: DecryptParams): Buffer;
}
