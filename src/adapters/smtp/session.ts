/**
 * One SMTP mail transaction, start to end (RFC 5321 §3.3): greeting, EHLO (HELO as a fallback),
 * STARTTLS (RFC 3207), AUTH PLAIN or LOGIN (RFC 4954, RFC 4616), MAIL FROM, RCPT TO, DATA, QUIT.
 *
 * @module
 */
import type { ConnectionOptions } from 'node:tls';
import { openConnection, smtpError } from './connection.js';
import type { SmtpConnection, SmtpReply } from './connection.js';

/** The settings of a delivery (validated by the transport factory). */
export interface SessionSettings {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly startTls: 'ifOffered' | 'required' | 'never';
  readonly tls: ConnectionOptions;
  readonly heloName: string;
  readonly auth: { readonly user: string; readonly pass: string; readonly method?: 'PLAIN' | 'LOGIN' } | null;
  readonly allowInsecureAuth: boolean;
  readonly timeoutMs: number;
}

/** What to deliver: the envelope and the dot-stuffed DATA text. */
export interface Delivery {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly data: string;
}

function accept(reply: SmtpReply, phase: string, ...codes: number[]): SmtpReply {
  if (!codes.includes(reply.code)) {
    throw smtpError({ phase, replyCode: reply.code, reply: reply.raw, timedOut: false }, `server replied ${reply.raw}`);
  }
  return reply;
}

/** The EHLO extensions, keyword upper-cased to its parameters. */
type Extensions = ReadonlyMap<string, readonly string[]>;

async function hello(conn: SmtpConnection, heloName: string): Promise<Extensions> {
  const ehlo = await conn.command(`EHLO ${heloName}`, 'EHLO');
  if (ehlo.code >= 500 && ehlo.code < 600) {
    accept(await conn.command(`HELO ${heloName}`, 'HELO'), 'HELO', 250);
    return new Map();
  }
  accept(ehlo, 'EHLO', 250);
  return new Map(ehlo.lines.slice(1).map((l) => {
    const [keyword = '', ...params] = l.trim().split(/[\s=]+/);
    return [keyword.toUpperCase(), params.map((p) => p.toUpperCase())];
  }));
}

async function authenticate(conn: SmtpConnection, settings: SessionSettings, ext: Extensions): Promise<void> {
  const auth = settings.auth;
  if (auth === null) return;
  if (!conn.isSecure() && !settings.allowInsecureAuth) {
    throw smtpError({ phase: 'AUTH', replyCode: null, reply: null, timedOut: false }, 'refusing to send credentials without TLS (set allowInsecureAuth to allow)');
  }
  const offered = ext.get('AUTH') ?? [];
  const method = auth.method ?? (offered.includes('PLAIN') ? 'PLAIN' : offered.includes('LOGIN') ? 'LOGIN' : null);
  if (method === null || !offered.includes(method)) {
    throw smtpError({ phase: 'AUTH', replyCode: null, reply: null, timedOut: false }, `server offers no usable mechanism (${offered.join(' ') || 'none'})`);
  }
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  if (method === 'PLAIN') {
    const credentials = b64(`\0${auth.user}\0${auth.pass}`);
    const first = accept(await conn.command(`AUTH PLAIN ${credentials}`, 'AUTH'), 'AUTH', 235, 334);
    // A server that ignores the initial response asks for it with an empty 334 challenge.
    if (first.code === 334) accept(await conn.command(credentials, 'AUTH'), 'AUTH', 235);
    return;
  }
  accept(await conn.command('AUTH LOGIN', 'AUTH'), 'AUTH', 334);
  accept(await conn.command(b64(auth.user), 'AUTH'), 'AUTH', 334);
  accept(await conn.command(b64(auth.pass), 'AUTH'), 'AUTH', 235);
}

async function negotiate(conn: SmtpConnection, settings: SessionSettings): Promise<Extensions> {
  accept(await conn.read('greeting'), 'greeting', 220);
  let ext = await hello(conn, settings.heloName);
  if (!conn.isSecure() && settings.startTls !== 'never') {
    if (ext.has('STARTTLS')) {
      accept(await conn.command('STARTTLS', 'STARTTLS'), 'STARTTLS', 220);
      await conn.startTls(settings.tls, 'STARTTLS');
      ext = await hello(conn, settings.heloName);
    } else if (settings.startTls === 'required') {
      throw smtpError({ phase: 'STARTTLS', replyCode: null, reply: null, timedOut: false }, 'server does not offer STARTTLS');
    }
  }
  await authenticate(conn, settings, ext);
  return ext;
}

/**
 * Delivers one message over a new connection, then says QUIT.
 *
 * @throws CemEngineError `CEM_PORT_FAILED` with an `SmtpFailure` cause at the first refused step,
 *   timeout or network error.
 */
export async function deliver(settings: SessionSettings, delivery: Delivery): Promise<void> {
  const conn = await openConnection({
    host: settings.host,
    port: settings.port,
    implicitTls: settings.secure ? settings.tls : null,
    timeoutMs: settings.timeoutMs,
  });
  try {
    await negotiate(conn, settings);
    accept(await conn.command(`MAIL FROM:<${delivery.mailFrom}>`, 'MAIL FROM'), 'MAIL FROM', 250);
    for (const rcpt of delivery.rcptTo) {
      accept(await conn.command(`RCPT TO:<${rcpt}>`, 'RCPT TO'), 'RCPT TO', 250, 251);
    }
    accept(await conn.command('DATA', 'DATA'), 'DATA', 354);
    accept(await conn.sendData(delivery.data, 'DATA'), 'DATA', 250);
    // The message is accepted: wait briefly for QUIT's reply, but a silent server changes nothing.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      conn.command('QUIT', 'QUIT').catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(settings.timeoutMs, 2_000)))),
    ]);
    clearTimeout(timer);
  } finally {
    conn.close();
  }
}
