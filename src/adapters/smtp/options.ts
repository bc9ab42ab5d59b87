/**
 * The adapter's options and their translation into nodemailer SMTP transport options.
 *
 * @module
 */
import { hostname } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import type { Transporter } from 'nodemailer';
import type * as SMTPPool from 'nodemailer/lib/smtp-pool';
import type * as SMTPTransport from 'nodemailer/lib/smtp-transport';
import type * as XOAuth2 from 'nodemailer/lib/xoauth2';
import { CemArgumentError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';

/**
 * A user name and password, for AUTH PLAIN (preferred), LOGIN or CRAM-MD5.
 *
 * @example
 * ```ts
 * const auth: SmtpPasswordAuth = { user: 'as2', pass: process.env.SMTP_PASS ?? '' }
 * ```
 */
export interface SmtpPasswordAuth {
  readonly user: string;
  readonly pass: string;
  /** The mechanism to use; the best one the server offers by default. */
  readonly method?: 'PLAIN' | 'LOGIN' | 'CRAM-MD5';
}

/**
 * XOAUTH2 (Microsoft 365, Google Workspace): an access token, or what nodemailer needs to get
 * and refresh one (`clientId`, `clientSecret`, `refreshToken`, `accessUrl`, or a
 * `provisionCallback`), as nodemailer's OAuth2 `auth` object.
 *
 * @example
 * ```ts
 * const auth: SmtpOAuth2Auth = { type: 'OAuth2', user: 'as2@acme.example', accessToken: await tokens.get() }
 * ```
 */
export type SmtpOAuth2Auth = { readonly type: 'OAuth2' } & XOAuth2.Options;

/**
 * Options common to both forms of {@link SmtpTransportOptions}.
 *
 * @example
 * ```ts
 * const common: SmtpCommonOptions = { from: 'AS2 <as2@example.com>', clock: systemClock }
 * ```
 */
export interface SmtpCommonOptions {
  /** The sender (`addr` or `Name <addr>`) when an e-mail names none; also the envelope sender. */
  readonly from: string;
  /** The clock for the `Date` header; the system clock by default. */
  readonly clock?: Clock;
}

/**
 * Connect to a relay: the adapter creates the nodemailer SMTP transport.
 *
 * @example
 * ```ts
 * const options: SmtpRelayOptions = { host: 'smtp.office365.com', port: 587, from: 'as2@acme.example',
 *   startTls: 'required', auth: { type: 'OAuth2', user: 'as2@acme.example', accessToken }, pool: true }
 * ```
 */
export interface SmtpRelayOptions extends SmtpCommonOptions {
  readonly transport?: undefined;
  /** The relay's host name or IP address. */
  readonly host: string;
  /** The relay's port: 587 (submission, STARTTLS), 465 (`secure: true`) or 25. */
  readonly port: number;
  /** TLS from the first byte (SMTPS, port 465); `false` by default. */
  readonly secure?: boolean;
  /** Credentials: a password (PLAIN, LOGIN, CRAM-MD5) or XOAUTH2. */
  readonly auth?: SmtpPasswordAuth | SmtpOAuth2Auth;
  /** The name given in EHLO; the host name by default (`localhost` when it is not a domain). */
  readonly heloName?: string;
  /** Upgrade with STARTTLS when offered (`ifOffered`, the default), insist on it, or never. */
  readonly startTls?: 'ifOffered' | 'required' | 'never';
  /** TLS settings for STARTTLS and `secure` (trusted `ca`, `servername`, `rejectUnauthorized`, ...). */
  readonly tls?: ConnectionOptions;
  /** Allow AUTH over an unencrypted connection; `false` by default (credentials then require TLS). */
  readonly allowInsecureAuth?: boolean;
  /** Longest wait for the connection, the greeting and each reply; 30 000 ms by default. */
  readonly timeoutMs?: number;
  /** Keep connections open and reuse them (nodemailer's SMTP pool); `false` by default. */
  readonly pool?: boolean;
  /**
   * Any further nodemailer SMTP or pool options (`proxy`, `dkim`, `logger`, `debug`,
   * `maxConnections`, `dnsTimeout`, `localAddress`, ...). The options above win over these.
   */
  readonly nodemailer?: Partial<SMTPTransport.Options> | Partial<SMTPPool.Options>;
}

/**
 * Send through a nodemailer transport the host created itself (any nodemailer transport:
 * SMTP, pool, SES, sendmail; `createTransport({ service: 'gmail', auth })`, failover, ...).
 * The host owns it: the adapter never closes it.
 *
 * @example
 * ```ts
 * const options: SmtpExistingTransportOptions = { transport: createTransport({ pool: true, host, port, auth }), from: 'as2@acme.example' }
 * ```
 */
export interface SmtpExistingTransportOptions extends SmtpCommonOptions {
  readonly transport: Transporter<unknown>;
}

/**
 * Options of `createSmtpEmailTransport`: a relay to connect to, or a nodemailer transport.
 *
 * @example
 * ```ts
 * const options: SmtpTransportOptions = { host: 'smtp.example.com', port: 587, from: 'as2@example.com',
 *   startTls: 'required', auth: { user: 'as2', pass } }
 * ```
 */
export type SmtpTransportOptions = SmtpRelayOptions | SmtpExistingTransportOptions;

const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function heloNameOf(value: string | undefined): string {
  if (value !== undefined) {
    if (!DOMAIN.test(value) && !/^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(value)) throw new CemArgumentError(`invalid heloName ${JSON.stringify(value)}`);
    return value;
  }
  const own = hostname();
  return DOMAIN.test(own) ? own : 'localhost';
}

function authOf(auth: SmtpRelayOptions['auth']): Pick<SMTPTransport.Options, 'auth' | 'authMethod'> {
  if (auth === undefined) return {};
  if ('type' in auth && auth.type === 'OAuth2') {
    if (typeof auth.user !== 'string' || /[\r\n\0]/.test(auth.user)) throw new CemArgumentError('createSmtpEmailTransport: invalid OAuth2 user');
    return { auth: { ...auth, type: 'OAuth2' } };
  }
  const password = auth as SmtpPasswordAuth;
  if (typeof password.user !== 'string' || typeof password.pass !== 'string' || /[\r\n\0]/.test(password.user) || /[\r\n\0]/.test(password.pass)) {
    throw new CemArgumentError('createSmtpEmailTransport: invalid credentials');
  }
  return { auth: { user: password.user, pass: password.pass }, ...(password.method === undefined ? {} : { authMethod: password.method }) };
}

/**
 * The nodemailer SMTP transport options for `options`.
 *
 * @example
 * ```ts
 * createTransport(nodemailerOptions({ host: 'smtp.example.com', port: 587, from: 'as2@example.com' }))
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid host, port, EHLO name, timeout or
 *   credentials, or credentials with `startTls: 'never'` and no `allowInsecureAuth`.
 */
export function nodemailerOptions(options: SmtpRelayOptions): SMTPTransport.Options | SMTPPool.Options {
  if (typeof options.host !== 'string' || options.host === '' || /[\s/]/.test(options.host)) throw new CemArgumentError('createSmtpEmailTransport: invalid host');
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new CemArgumentError('createSmtpEmailTransport: invalid port');
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new CemArgumentError('createSmtpEmailTransport: invalid timeoutMs');
  const secure = options.secure ?? false;
  const startTls = options.startTls ?? 'ifOffered';
  if (!['ifOffered', 'required', 'never'].includes(startTls)) throw new CemArgumentError('createSmtpEmailTransport: invalid startTls');
  const auth = authOf(options.auth);
  // Credentials travel only over TLS unless allowed: without TLS from the start, STARTTLS is required.
  const credentialsNeedTls = options.auth !== undefined && !secure && options.allowInsecureAuth !== true;
  if (credentialsNeedTls && startTls === 'never') throw new CemArgumentError('createSmtpEmailTransport: credentials without TLS need allowInsecureAuth');
  return {
    ...options.nodemailer,
    host: options.host,
    port: options.port,
    secure,
    name: heloNameOf(options.heloName),
    ...auth,
    ...(startTls === 'never' ? { ignoreTLS: true } : {}),
    ...(startTls === 'required' || credentialsNeedTls ? { requireTLS: true } : {}),
    ...(options.tls === undefined ? {} : { tls: { ...options.nodemailer?.tls, ...options.tls } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    // A little later than the setup timers, so a silent greeting or TLS handshake is reported as such.
    socketTimeout: timeoutMs + 100,
    ...(options.pool === true ? { pool: true } : {}),
  } as SMTPTransport.Options | SMTPPool.Options;
}
