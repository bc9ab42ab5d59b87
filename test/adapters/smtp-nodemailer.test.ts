// What the nodemailer base adds to the SMTP adapter, against the real smtp-server on loopback:
// XOAUTH2, pooled connections, a host's own nodemailer transport, and the transport contract.
import { createTransport } from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpEmailTransport } from '../../src/adapters/smtp/index.js';
import type { SmtpFailure } from '../../src/adapters/smtp/index.js';
import type { OutboundEmail } from '../../src/ports/transport.js';
import { createMemoryTransport, runTransportContract } from '../../src/testing/index.js';
import { parseWithPython, startRawServer, startSmtpServer } from './smtp-helpers.js';
import type { RunningSmtpServer } from './smtp-helpers.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function server(options: Parameters<typeof startSmtpServer>[0] = {}): Promise<RunningSmtpServer> {
  const s = await startSmtpServer(options);
  closers.push(() => s.close());
  return s;
}

const email = (n: number): OutboundEmail => ({ to: 'edi@partner.example', subject: `Hello ${n}`, text: `Message ${n}.\n`, attachments: [] });
const base = { host: '127.0.0.1', from: 'AS2 Gateway <as2@me.example>', heloName: 'as2.me.example', timeoutMs: 5_000 } as const;

describe('nodemailer capabilities through the adapter options', () => {
  it('authenticates with XOAUTH2 and an access token', async () => {
    const tokens: Array<string | undefined> = [];
    const smtp = await server({
      authOptional: false,
      allowInsecureAuth: true,
      authMethods: ['XOAUTH2'],
      onAuth(auth, _session, callback) {
        tokens.push(auth.accessToken);
        if (auth.method === 'XOAUTH2' && auth.username === 'as2@me.example' && auth.accessToken === 'ya29.token') callback(null, { user: 'as2' });
        else callback(null, { data: { status: '401', schemes: 'bearer' } });
      },
    });
    await createSmtpEmailTransport({ ...base, port: smtp.port, allowInsecureAuth: true, auth: { type: 'OAuth2', user: 'as2@me.example', accessToken: 'ya29.token' } }).sendEmail(email(1));
    expect(tokens).toEqual(['ya29.token']);
    expect(smtp.received[0]?.user).toBe('as2');

    const refused = createSmtpEmailTransport({ ...base, port: smtp.port, allowInsecureAuth: true, auth: { type: 'OAuth2', user: 'as2@me.example', accessToken: 'expired' } });
    const error = await refused.sendEmail(email(2)).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'CEM_PORT_FAILED', cause: { phase: 'AUTH' } });
    expect(smtp.received).toHaveLength(1);
  });

  it('sends to an internationalized address with SMTPUTF8 (RFC 6531)', async () => {
    const mailFromArgs: unknown[] = [];
    const smtp = await server({
      onMailFrom(address, _session, callback) {
        mailFromArgs.push(address.args);
        callback();
      },
    });
    const t = createSmtpEmailTransport({ ...base, port: smtp.port });
    await t.sendEmail({ ...email(1), to: 'José Müller <jösé@bücher.example>' });
    await t.sendEmail(email(2));
    expect(smtp.received.map((m) => m.rcptTo)).toEqual([['jösé@bücher.example'], ['edi@partner.example']]);
    expect(parseWithPython(smtp.received[0]!.raw).headers.to?.[0]).toContain('José Müller');
    // SMTPUTF8 on MAIL FROM only when an address needs it.
    expect(mailFromArgs).toEqual([expect.objectContaining({ SMTPUTF8: true }), expect.not.objectContaining({ SMTPUTF8: true })]);
  });

  it('reuses one connection for several e-mails with pool: true', async () => {
    const smtp = await server();
    const smtpConnections: string[] = [];
    const counted = await server({
      onConnect(session, callback) {
        smtpConnections.push(session.id);
        callback();
      },
    });
    const pooled = createSmtpEmailTransport({ ...base, port: counted.port, pool: true, nodemailer: { maxConnections: 1 } });
    closers.push(() => pooled.close());
    await Promise.all([1, 2, 3].map((n) => pooled.sendEmail(email(n))));
    expect(counted.received.map((m) => parseWithPython(m.raw).headers.subject?.[0]).sort()).toEqual(['Hello 1', 'Hello 2', 'Hello 3']);
    expect(smtpConnections).toHaveLength(1);

    const unpooled = createSmtpEmailTransport({ ...base, port: smtp.port });
    const before = smtp.received.length;
    await unpooled.sendEmail(email(4));
    await unpooled.sendEmail(email(5));
    expect(smtp.received.length - before).toBe(2);
  });

  it('sends through a nodemailer transport the host created, and leaves it open', async () => {
    const smtp = await server();
    const own = createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true, pool: true });
    closers.push(() => own.close());
    const adapter = createSmtpEmailTransport({ transport: own, from: 'as2@me.example' });
    expect(adapter.transporter).toBe(own);
    await adapter.sendEmail(email(1));
    adapter.close(); // the host's transport stays usable
    await adapter.sendEmail(email(2));
    expect(smtp.received.map((m) => m.mailFrom)).toEqual(['as2@me.example', 'as2@me.example']);
    expect(await own.verify()).toBe(true);
  });

  it("reports a host transport's failures as CEM_PORT_FAILED with the reply code", async () => {
    const smtp = await server({ onMailFrom: (_a, _s, callback) => callback(Object.assign(new Error('4.7.0 Try later'), { responseCode: 451 })) });
    const own = createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true });
    const error = await createSmtpEmailTransport({ transport: own, from: 'as2@me.example' }).sendEmail(email(1)).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'CEM_PORT_FAILED' });
    expect((error as { cause: SmtpFailure }).cause).toMatchObject({ phase: 'MAIL FROM', replyCode: 451, timedOut: false });
  });

  it('refuses invalid relay options with CEM_ARGUMENT', () => {
    for (const bad of [{ port: 0 }, { port: 70000 }, { host: '' }, { host: 'a b' }, { timeoutMs: 0 }, { heloName: 'bad name' }, { auth: { user: 'a\r\nb', pass: 'x' } }]) {
      expect(() => createSmtpEmailTransport({ ...base, port: 25, ...bad })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    }
  });
});

describe('SMTP e-mail merged into a host transport', () => {
  let smtp: RunningSmtpServer;
  let deadPort = 0;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    const raw = await startRawServer(() => undefined);
    deadPort = raw.port;
    await raw.close();
  });
  afterAll(() => smtp.close());

  runTransportContract(
    { describe, it },
    {
      name: 'memory AS2 transport + SMTP e-mail (nodemailer)',
      create: () => ({ ...createMemoryTransport(), ...createSmtpEmailTransport({ ...base, port: smtp.port }) }),
      createFailing: () => {
        const as2 = createMemoryTransport();
        as2.failWhen(() => true);
        return { ...as2, ...createSmtpEmailTransport({ ...base, port: deadPort }) };
      },
    },
  );
});
