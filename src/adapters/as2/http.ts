/**
 * HTTP for AS2 (RFC 4130 §5): a client that posts a message with a bounded response size and a
 * timeout, and a bounded reader of request bodies for handlers.
 *
 * @module
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { CemAs2Error, CemArgumentError } from '../../errors.js';

/** Limits and TLS settings of an HTTP exchange. */
export interface As2HttpOptions {
  /** Whole exchange, from connecting to the last byte of the response; 60 s by default. */
  readonly timeoutMs?: number;
  /** Largest response body accepted (an MDN); 1 MiB by default. */
  readonly maxResponseBytes?: number;
  /** TLS options for `https:` URLs (`ca`, `cert`, `key`, `rejectUnauthorized`, ...). */
  readonly tls?: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
}

/** An HTTP response. */
export interface As2HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/**
 * Reads a body up to `maxBytes`; rejects with `CEM_AS2_HTTP` beyond it or after `timeoutMs`
 * (the stream is left to the caller: destroy it, or drain it to answer first).
 *
 * @example
 * ```ts
 * const body = await readBody(req, 16 * 1024 * 1024, 60_000)
 * ```
 * @throws CemAs2Error `CEM_AS2_HTTP` for a body over `maxBytes`, a stream error or a timeout.
 */
export function readBody(stream: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(stream.headers['content-length'] ?? '0');
    const timer = setTimeout(() => finish(new CemAs2Error('CEM_AS2_HTTP', `no complete body within ${timeoutMs} ms`)), timeoutMs);
    let done = false;
    function finish(error: Error | null): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.removeListener('data', onData);
      if (error !== null) reject(error);
      else resolve(new Uint8Array(Buffer.concat(chunks)));
    }
    if (declared > maxBytes) return finish(new CemAs2Error('CEM_AS2_HTTP', `the body (${declared} bytes) is larger than ${maxBytes} bytes`));
    function onData(chunk: Buffer): void {
      size += chunk.byteLength;
      if (size > maxBytes) finish(new CemAs2Error('CEM_AS2_HTTP', `the body is larger than ${maxBytes} bytes`));
      else chunks.push(chunk);
    }
    stream.on('data', onData);
    stream.on('end', () => finish(null));
    stream.on('error', (e) => finish(new CemAs2Error('CEM_AS2_HTTP', `reading the body failed: ${e.message}`, { cause: e })));
  });
}

/**
 * Posts `body` with `headers` to `url` and reads the response (bounded in size and time).
 *
 * @example
 * ```ts
 * const response = await postAs2('https://as2.acme.test/as2', message.headers, message.body, { timeoutMs: 30_000 })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for a URL that is not http(s).
 * @throws CemAs2Error `CEM_AS2_HTTP` when the connection fails, times out or the response is too large.
 */
export function postAs2(url: string, headers: Readonly<Record<string, string>>, body: Uint8Array, options: As2HttpOptions = {}): Promise<As2HttpResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    throw new CemArgumentError(`not a URL: ${url}`, { cause: error });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new CemArgumentError(`not an http(s) URL: ${url}`);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.byteLength) }, ...(target.protocol === 'https:' ? options.tls : {}) }, (res) => {
      readBody(res, maxBytes, timeoutMs).then(
        (data) => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data });
        },
        (error: unknown) => {
          clearTimeout(timer);
          res.destroy();
          reject(error);
        },
      );
    });
    const timer = setTimeout(() => req.destroy(new CemAs2Error('CEM_AS2_HTTP', `no response from ${target.origin} within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e instanceof CemAs2Error ? e : new CemAs2Error('CEM_AS2_HTTP', `POST ${target.origin}${target.pathname} failed: ${e.message}`, { cause: e }));
    });
    req.end(body);
  });
}
