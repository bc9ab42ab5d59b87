/**
 * An SMTP server on the loopback interface (the `smtp-server` package) that keeps every message
 * it accepts: the examples' stand-in for the host's mail relay.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One accepted message. */
export interface SunkMail {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  /** The message as received (headers and MIME body). */
  readonly raw: string;
}

/** A running sink. */
export interface SmtpSink {
  readonly port: number;
  readonly messages: readonly SunkMail[];
  close(): Promise<void>;
}

/**
 * Starts a sink on 127.0.0.1 on a free port (no TLS, no authentication).
 *
 * @example
 * ```ts
 * const sink = await startSmtpSink()
 * const smtp = createSmtpEmailTransport({ host: '127.0.0.1', port: sink.port, from: 'as2@acme.example', startTls: 'never' })
 * ```
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMail[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        messages.push(Object.freeze({
          mailFrom: from === false ? '' : from.address,
          rcptTo: Object.freeze(session.envelope.rcptTo.map((r) => r.address)),
          raw: Buffer.concat(chunks).toString('utf8'),
        }));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
