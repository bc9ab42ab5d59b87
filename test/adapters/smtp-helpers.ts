// Real SMTP peers for the SMTP adapter's tests: the `smtp-server` package on loopback, a scripted
// raw TCP server for replies smtp-server will not give, and Python's `email` package as an
// independent MIME decoder.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { afterEach } from 'vitest';

export interface Received {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly raw: Buffer;
  readonly secure: boolean;
  readonly user: unknown;
}

export interface RunningSmtpServer {
  readonly port: number;
  readonly received: Received[];
  readonly auths: Array<{ method: string; username: string | null | undefined; password: string | null | undefined }>;
  close(): Promise<void>;
}

/** Starts smtp-server on 127.0.0.1 with `options`, recording every accepted message. */
export async function startSmtpServer(options: SMTPServerOptions = {}): Promise<RunningSmtpServer> {
  const received: Received[] = [];
  const auths: RunningSmtpServer['auths'] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    hideSTARTTLS: true,
    onAuth(auth, _session, callback) {
      auths.push({ method: auth.method, username: auth.username, password: auth.password });
      if (auth.username === 'cem' && auth.password === 's3cret pass') callback(null, { user: 'cem' });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: session.user,
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    auths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Servers for one test file, closed after each test: `server(options)` starts an SMTP server on
 * loopback (see {@link startSmtpServer}); `closeAfterTest(close)` registers any other.
 */
export function serversClosedAfterEach(): { server: (options?: SMTPServerOptions) => Promise<RunningSmtpServer>; closeAfterTest: (close: () => Promise<void>) => void } {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  return {
    server: async (options = {}) => {
      const s = await startSmtpServer(options);
      closers.push(() => s.close());
      return s;
    },
    closeAfterTest: (close) => void closers.push(close),
  };
}

/** A raw TCP server: `script` gets each connection and writes whatever replies it wants. */
export async function startRawServer(script: (socket: Socket, lines: AsyncIterable<string>) => Promise<void> | void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // A client hanging up mid-script ends the script; that is not a test failure.
    Promise.resolve().then(() => script(socket, readLines(socket))).catch(() => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function* readLines(socket: Socket): AsyncIterable<string> {
  let buffer = '';
  for await (const chunk of socket) {
    buffer += (chunk as Buffer).toString('latin1');
    let nl: number;
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      yield buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
    }
  }
}

export interface ParsedMail {
  readonly headers: Record<string, string[]>;
  readonly contentType: string;
  readonly text: string;
  readonly attachments: Array<{ filename: string; contentType: string; smimeType: string | null; base64: string }>;
  readonly defects: string[];
}

const PARSE = `
import sys, json, base64, email
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
headers = {}
for k, v in msg.items():
    headers.setdefault(k.lower(), []).append(str(v))
text, atts, defects = None, [], [type(d).__name__ for d in msg.defects]
for part in msg.walk():
    defects += [type(d).__name__ for d in part.defects]
    if part.is_multipart():
        continue
    if part.get_content_disposition() == 'attachment':
        atts.append({'filename': part.get_filename(), 'contentType': part.get_content_type(),
                     'smimeType': part.get_param('smime-type'),
                     'base64': base64.b64encode(part.get_payload(decode=True)).decode()})
    elif part.get_content_type() == 'text/plain' and text is None:
        text = part.get_content()
print(json.dumps({'headers': headers, 'contentType': msg.get_content_type(), 'text': text, 'attachments': atts, 'defects': defects}))
`;

/** Parses a received message with Python's `email` package (policy.default). */
export function parseWithPython(raw: Buffer): ParsedMail {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', PARSE], { input: raw }).toString('utf8')) as ParsedMail;
}
