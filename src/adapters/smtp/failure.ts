/**
 * Delivery failures as the engine sees them: every nodemailer error becomes `CEM_PORT_FAILED`
 * whose `cause` is an {@link SmtpFailure} (the SMTP step, the reply code and text, whether it
 * timed out, and nodemailer's error).
 *
 * @module
 */
import { CemEngineError } from '../../errors.js';

/**
 * Why an SMTP delivery failed: the `cause` of its `CEM_PORT_FAILED` error.
 *
 * @example
 * ```ts
 * catch (e) { if (isCemError(e, 'CEM_PORT_FAILED')) console.log((e.cause as SmtpFailure).replyCode) }
 * ```
 */
export interface SmtpFailure {
  /**
   * The step that failed: `connect`, `greeting`, `EHLO`, `HELO`, `STARTTLS` (any TLS failure,
   * STARTTLS required but not offered), `AUTH`, `MAIL FROM`, `RCPT TO`, `DATA` (also a relay
   * silent after the message body), or `session` (the connection went silent or closed
   * mid-session where nodemailer does not say which command was waiting: before the body, or
   * with a host's own transport or DKIM, where the adapter cannot watch the body go out).
   */
  readonly phase: string;
  /** The server's reply code, `null` when there was no reply (timeout, network error). */
  readonly replyCode: number | null;
  /** The server's reply text, `null` when there was none. */
  readonly reply: string | null;
  /** True when the step timed out. */
  readonly timedOut: boolean;
  /** Recipients the server refused (a partial delivery went to the others). */
  readonly rejected?: readonly string[];
  /** The nodemailer error (`code`, `command`, `response`, ...). */
  readonly error?: unknown;
}

interface NodemailerError {
  readonly message?: unknown;
  readonly code?: unknown;
  readonly command?: unknown;
  readonly response?: unknown;
  readonly responseCode?: unknown;
  readonly timeoutType?: unknown;
  readonly originalCode?: unknown;
}

const TIMEOUT_PHASE: Record<string, string> = {
  CONNECT_TIMEOUT: 'connect',
  GREETING_TIMEOUT: 'greeting',
  UPGRADE_TIMEOUT: 'STARTTLS',
  SOCKET_TIMEOUT: 'session',
};

function phaseOf(e: NodemailerError, secure: boolean, bodySent: boolean): string {
  const code = typeof e.code === 'string' ? e.code : '';
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === 'ETIMEDOUT') {
    const phase = TIMEOUT_PHASE[String(e.timeoutType)] ?? 'session';
    return phase === 'session' && bodySent ? 'DATA' : phase;
  }
  const original = typeof e.originalCode === 'string' ? e.originalCode : '';
  // A TLS failure (ETLS, or a socket error with a TLS/certificate code rather than an errno).
  const tls = code === 'ETLS' || (code === 'ESOCKET' && ((original !== '' && !/^E[A-Z]+$/.test(original)) || /^ERR_(TLS|SSL)/.test(original) || /\b(TLS|SSL)\b|certificate/i.test(message)));
  if (tls) return secure ? 'connect' : 'STARTTLS';
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'EOAUTH2' || command.startsWith('AUTH')) return 'AUTH';
  if (/^(EHLO|HELO|LHLO|STARTTLS|MAIL FROM|RCPT TO|DATA)$/.test(command)) return command === 'LHLO' ? 'EHLO' : command;
  if (code === 'EENVELOPE') return 'RCPT TO';
  if (code === 'EMESSAGE') return 'DATA';
  if (/greeting/i.test(message)) return 'greeting';
  if (code === 'ECONNECTION' || code === 'ESOCKET' || code === 'EDNS' || code === 'EPROXY') {
    return /closed unexpectedly/i.test(message) ? (bodySent ? 'DATA' : 'session') : 'connect';
  }
  if (code === 'EPROTOCOL') return bodySent ? 'DATA' : 'session';
  return command === '' || command === 'CONN' ? (bodySent ? 'DATA' : 'session') : command;
}

/**
 * The adapter's error for a nodemailer error (`secure`: the connection was TLS from the start;
 * `bodySent`: the message body had gone out after DATA).
 *
 * @example
 * ```ts
 * throw smtpError(error, false, false)
 * ```
 * @throws never.
 */
export function smtpError(error: unknown, secure: boolean, bodySent = false): CemEngineError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError;
  const reply = typeof e.response === 'string' && e.response !== '' ? e.response : null;
  const replyCode = typeof e.responseCode === 'number' ? e.responseCode : reply !== null && /^\d{3}/.test(reply) ? Number(reply.slice(0, 3)) : null;
  const failure: SmtpFailure = Object.freeze({ phase: phaseOf(e, secure, bodySent), replyCode, reply, timedOut: e.code === 'ETIMEDOUT', error });
  const text = error instanceof Error ? error.message : String(error);
  return new CemEngineError('CEM_PORT_FAILED', `SMTP ${failure.phase}: ${text}`, { cause: failure });
}

/**
 * The adapter's error for recipients refused while others received the message.
 *
 * @example
 * ```ts
 * throw rejectedRecipientsError(['gone@acme.test'], info.rejectedErrors)
 * ```
 * @throws never.
 */
export function rejectedRecipientsError(rejected: readonly string[], errors: readonly unknown[]): CemEngineError {
  const first = (errors[0] ?? {}) as NodemailerError;
  const reply = typeof first.response === 'string' ? first.response : null;
  const failure: SmtpFailure = Object.freeze({
    phase: 'RCPT TO',
    replyCode: typeof first.responseCode === 'number' ? first.responseCode : null,
    reply,
    timedOut: false,
    rejected: Object.freeze([...rejected]),
    error: errors[0],
  });
  return new CemEngineError('CEM_PORT_FAILED', `SMTP RCPT TO: refused ${rejected.join(', ')}${reply === null ? '' : ` (${reply})`}; the other recipients received the message`, { cause: failure });
}
