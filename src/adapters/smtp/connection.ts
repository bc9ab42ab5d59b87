/**
 * One SMTP connection: a socket (plain or TLS) that sends command lines and reads replies
 * (RFC 5321 §4.2, multi-line replies included), each wait bounded by a timeout. Every failure
 * is a `CEM_PORT_FAILED` carrying an {@link SmtpFailure} as its `cause`.
 *
 * @module
 */
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { CemEngineError } from '../../errors.js';
import { createReplyParser } from './reply.js';
import type { SmtpReply } from './reply.js';

export type { SmtpReply } from './reply.js';

/**
 * Why an SMTP delivery failed: the `cause` of its `CEM_PORT_FAILED` error.
 *
 * @example
 * ```ts
 * catch (e) { if (isCemError(e, 'CEM_PORT_FAILED')) console.log((e.cause as SmtpFailure).replyCode) }
 * ```
 */
export interface SmtpFailure {
  /** The step that failed: `connect`, `greeting`, `EHLO`, `STARTTLS`, `AUTH`, `MAIL FROM`, `RCPT TO`, `DATA`, ... */
  readonly phase: string;
  /** The server's reply code, `null` when there was no reply (timeout, network error). */
  readonly replyCode: number | null;
  /** The server's reply text, `null` when there was none. */
  readonly reply: string | null;
  /** True when the step timed out. */
  readonly timedOut: boolean;
  /** The underlying network or TLS error, if any. */
  readonly error?: unknown;
}

/** Builds the adapter's error for `failure`. */
export function smtpError(failure: SmtpFailure, message: string): CemEngineError {
  return new CemEngineError('CEM_PORT_FAILED', `SMTP ${failure.phase}: ${message}`, { cause: Object.freeze(failure) });
}

/** An open SMTP connection. */
export interface SmtpConnection {
  /** True once the connection runs over TLS. */
  isSecure(): boolean;
  /** Reads the next reply. */
  read(phase: string): Promise<SmtpReply>;
  /** Writes `line` + CRLF and reads the reply. */
  command(line: string, phase: string): Promise<SmtpReply>;
  /** Writes raw text (the message after DATA) and reads the reply. */
  sendData(text: string, phase: string): Promise<SmtpReply>;
  /** Upgrades the connection to TLS (after a 220 reply to STARTTLS). */
  startTls(options: ConnectionOptions, phase: string): Promise<void>;
  /** Closes the connection at once. */
  close(): void;
}

/** What {@link openConnection} needs. */
export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465) with these options, or plain TCP when `null`. */
  readonly implicitTls: ConnectionOptions | null;
  readonly timeoutMs: number;
}

/**
 * Opens a connection; the greeting is left for the caller to read.
 *
 * @throws CemEngineError `CEM_PORT_FAILED` (phase `connect`) when the connection fails or times out.
 */
export async function openConnection(settings: ConnectionSettings): Promise<SmtpConnection> {
  let socket: Socket;
  const parser = createReplyParser();
  let failure: { failure: SmtpFailure; message: string } | null = null;
  let wake: (() => void) | null = null;
  let tls = settings.implicitTls !== null;

  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const fail = (f: SmtpFailure, message: string): void => {
    failure ??= { failure: f, message };
    socket.destroy();
    notify();
  };
  const onData = (chunk: Buffer): void => {
    const problem = parser.push(chunk.toString('latin1'));
    if (problem !== null) fail({ phase: 'reply', replyCode: null, reply: null, timedOut: false }, problem);
    notify();
  };
  const attach = (s: Socket): void => {
    socket = s;
    s.on('data', onData);
    s.on('error', (error) => fail({ phase: 'connection', replyCode: null, reply: null, timedOut: false, error }, String(error)));
    s.on('close', () => fail({ phase: 'connection', replyCode: null, reply: null, timedOut: false }, 'connection closed by the server'));
  };

  function waitFor<T>(phase: string, ready: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        fail({ phase, replyCode: null, reply: null, timedOut: true }, `timed out after ${settings.timeoutMs} ms`);
      }, settings.timeoutMs);
      const check = (): void => {
        const value = ready();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else if (failure !== null) {
          clearTimeout(timer);
          const f = failure.failure;
          reject(smtpError(f.phase === 'connection' || f.phase === 'reply' ? { ...f, phase } : f, failure.message));
        } else {
          wake = check;
        }
      };
      check();
    });
  }

  const connected = new Promise<void>((resolve) => {
    const options = { host: settings.host, port: settings.port };
    const s = settings.implicitTls ? tlsConnect({ ...settings.implicitTls, ...options }, resolve) : netConnect(options, resolve);
    attach(s);
  });
  let isConnected = false;
  void connected.then(() => {
    isConnected = true;
    notify();
  });
  await waitFor('connect', () => (isConnected ? true : undefined));

  const read = (phase: string): Promise<SmtpReply> => waitFor(phase, () => parser.take());
  const write = (text: string, phase: string): Promise<SmtpReply> => {
    if (failure === null) socket.write(text, 'utf8');
    return read(phase);
  };

  return Object.freeze({
    isSecure: () => tls,
    read,
    command: (line: string, phase: string) => write(`${line}\r\n`, phase),
    sendData: (text: string, phase: string) => write(text, phase),
    async startTls(options: ConnectionOptions, phase: string): Promise<void> {
      if (!parser.isIdle()) {
        // Plaintext pipelined after the 220 would be trusted as if it came over TLS (RFC 3207 §6).
        socket.destroy();
        throw smtpError({ phase, replyCode: null, reply: null, timedOut: false }, 'server sent data before the TLS handshake');
      }
      const plain = socket;
      plain.removeAllListeners('data');
      plain.removeAllListeners('close');
      plain.removeAllListeners('error');
      plain.on('error', () => undefined); // the TLS socket reports errors from here on
      let handshaken = false;
      const secured = tlsConnect({ ...options, socket: plain }, () => {
        handshaken = true;
        notify();
      });
      attach(secured);
      await waitFor(phase, () => (handshaken ? true : undefined));
      tls = true;
    },
    close: () => socket.destroy(),
  });
}
