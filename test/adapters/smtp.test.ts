import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSmtpEmailTransport } from '../../src/adapters/smtp/index.js';
import type { SmtpFailure, SmtpTransportOptions } from '../../src/adapters/smtp/index.js';
import { certificateAttachment } from '../../src/ports/transport.js';
import type { OutboundEmail } from '../../src/ports/transport.js';
import { createManualClock } from '../../src/testing/index.js';
import { makePki, openssl } from '../helpers/pki.js';
import { parseWithPython, serversClosedAfterEach, startRawServer } from './smtp-helpers.js';

const { server, closeAfterTest } = serversClosedAfterEach();

function transport(port: number, options: Partial<SmtpTransportOptions> = {}) {
  return createSmtpEmailTransport({ host: '127.0.0.1', port, from: 'AS2 Gateway <as2@me.example>', heloName: 'as2.me.example', timeoutMs: 5_000, ...options });
}

const plainEmail: OutboundEmail = { to: 'edi@partner.example', subject: 'Hello', text: 'Hi.\n', attachments: [] };

function failureOf(error: unknown): SmtpFailure {
  expect(error).toMatchObject({ code: 'CEM_PORT_FAILED' });
  return (error as { cause: SmtpFailure }).cause;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('createSmtpEmailTransport delivering to a real SMTP server', () => {
  it('delivers text and certificate attachments that decode back to the same bytes', async () => {
    const smtp = await server();
    const pki = makePki('Mail');
    const leaf = pki.leaf();
    const p7c = new Uint8Array(openssl(['crl2pkcs7', '-nocrl', '-certfile', leaf.certPath, '-outform', 'DER']));
    const noise = new Uint8Array(randomBytes(3000));
    const clock = createManualClock(new Date('2025-03-04T05:06:07Z'));
    await transport(smtp.port, { clock }).sendEmail({
      to: ['"Partner, EDI" <edi@partner.example>', 'ops@partner.example'],
      subject: 'New certificate für AS2 — 証明書',
      text: 'Please install the attached certificates.\nThanks.\n',
      attachments: [
        certificateAttachment('me-2025.p7c', p7c),
        certificateAttachment('me-2025.cer', leaf.der),
        { filename: 'Übersicht lange Datei ' + 'ä'.repeat(60) + '.bin', contentType: 'application/octet-stream', content: noise },
      ],
    });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.mailFrom).toBe('as2@me.example');
    expect(mail.rcptTo).toEqual(['edi@partner.example', 'ops@partner.example']);
    const parsed = parseWithPython(mail.raw);
    expect(parsed.defects).toEqual([]);
    expect(parsed.contentType).toBe('multipart/mixed');
    expect(parsed.headers.subject).toEqual(['New certificate für AS2 — 証明書']);
    expect(parsed.headers.from).toEqual(['AS2 Gateway <as2@me.example>']);
    expect(parsed.headers.to?.[0]).toContain('"Partner, EDI" <edi@partner.example>');
    expect(new Date(parsed.headers.date?.[0] ?? '').toISOString()).toBe('2025-03-04T05:06:07.000Z');
    expect(parsed.text.replace(/\r\n/g, '\n')).toBe('Please install the attached certificates.\nThanks.\n');
    const [a, b, c] = parsed.attachments;
    expect(a).toMatchObject({ filename: 'me-2025.p7c', contentType: 'application/pkcs7-mime', smimeType: 'certs-only' });
    expect(Buffer.from(a!.base64, 'base64')).toEqual(Buffer.from(p7c));
    expect(b).toMatchObject({ filename: 'me-2025.cer', contentType: 'application/pkix-cert' });
    expect(Buffer.from(b!.base64, 'base64')).toEqual(Buffer.from(leaf.der));
    expect(c?.filename).toBe('Übersicht lange Datei ' + 'ä'.repeat(60) + '.bin');
    expect(Buffer.from(c!.base64, 'base64')).toEqual(Buffer.from(noise));
    // The P7C openssl reads back is the certificate that went in.
    const back = openssl(['pkcs7', '-inform', 'DER', '-print_certs'], Buffer.from(a!.base64, 'base64')).toString();
    expect(back).toContain(leaf.pem.trim().split('\n')[1]);
    expect(mail.raw.toString('latin1').split('\r\n').every((l) => l.length <= 998)).toBe(true);
  });

  it('dot-stuffs lines that start with a dot, so the text arrives whole', async () => {
    const smtp = await server();
    const text = '.\n..\n.hidden line\nmiddle\n.\n. trailing';
    await transport(smtp.port).sendEmail({ ...plainEmail, text });
    const parsed = parseWithPython(smtp.received[0]!.raw);
    expect(parsed.contentType).toBe('text/plain');
    expect(parsed.text.replace(/\r\n/g, '\n')).toBe(`${text}\n`);
    expect(smtp.received[0]!.raw.toString('latin1')).toContain('\r\n.hidden line\r\n');
  });

  it('sends non-ASCII and over-long lines as quoted-printable that decodes to the same text', async () => {
    const smtp = await server();
    const text = `Grüße aus Köln — ${'x'.repeat(1200)}\nZeile = zwei\t\nend `;
    await transport(smtp.port).sendEmail({ ...plainEmail, text });
    const raw = smtp.received[0]!.raw.toString('latin1');
    expect(raw).toContain('Content-Transfer-Encoding: quoted-printable');
    // Python's decoder ends the text with the message's final line break.
    expect(parseWithPython(smtp.received[0]!.raw).text.replace(/\r\n/g, '\n')).toBe(`${text}\n`);
  });

  it('keeps a CR/LF in the subject from adding headers or recipients', async () => {
    const smtp = await server();
    await transport(smtp.port).sendEmail({ ...plainEmail, subject: 'Hi\r\nBcc: evil@attacker.example' });
    const parsed = parseWithPython(smtp.received[0]!.raw);
    expect(parsed.headers.bcc).toBeUndefined();
    expect(smtp.received[0]!.rcptTo).toEqual(['edi@partner.example']);
  });

  it('refuses invalid addresses with CEM_ARGUMENT before connecting', async () => {
    const smtp = await server();
    const t = transport(smtp.port);
    for (const to of ['not an address', 'a@b\r\nRCPT TO:<evil@x.example>', 'a..b@example.com', 'a@-x.example', '']) {
      await expect(t.sendEmail({ ...plainEmail, to })).rejects.toMatchObject({ code: 'CEM_ARGUMENT' });
    }
    await expect(t.sendEmail({ ...plainEmail, to: [] })).rejects.toMatchObject({ code: 'CEM_ARGUMENT' });
    expect(() => transport(smtp.port, { from: 'nobody' })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(smtp.received).toHaveLength(0);
  });
});

describe('SMTP authentication and TLS', () => {
  it('authenticates with AUTH PLAIN when allowed without TLS', async () => {
    const smtp = await server({ authOptional: false, allowInsecureAuth: true });
    await transport(smtp.port, { auth: { user: 'cem', pass: 's3cret pass' }, allowInsecureAuth: true }).sendEmail(plainEmail);
    expect(smtp.auths).toEqual([{ method: 'PLAIN', username: 'cem', password: 's3cret pass' }]);
    expect(smtp.received[0]?.user).toBe('cem');
  });

  it('authenticates with AUTH LOGIN when that is all the server offers', async () => {
    const smtp = await server({ authOptional: false, allowInsecureAuth: true, authMethods: ['LOGIN'] });
    await transport(smtp.port, { auth: { user: 'cem', pass: 's3cret pass' }, allowInsecureAuth: true }).sendEmail(plainEmail);
    expect(smtp.auths.map((a) => a.method)).toEqual(['LOGIN']);
    expect(smtp.received).toHaveLength(1);
  });

  it('fails with CEM_PORT_FAILED and the 535 reply on a wrong password', async () => {
    const smtp = await server({ authOptional: false, allowInsecureAuth: true });
    const error = await rejection(transport(smtp.port, { auth: { user: 'cem', pass: 'wrong' }, allowInsecureAuth: true }).sendEmail(plainEmail));
    expect(failureOf(error)).toMatchObject({ phase: 'AUTH', replyCode: 535, timedOut: false });
    expect(smtp.received).toHaveLength(0);
  });

  it('will not send credentials over plain TCP unless told to: they need STARTTLS', async () => {
    const smtp = await server({ authOptional: false, allowInsecureAuth: true, disabledCommands: ['STARTTLS'] });
    const error = await rejection(transport(smtp.port, { auth: { user: 'cem', pass: 's3cret pass' } }).sendEmail(plainEmail));
    expect(failureOf(error).phase).toBe('STARTTLS');
    expect(smtp.auths).toEqual([]);
    expect(() => transport(smtp.port, { auth: { user: 'cem', pass: 'x' }, startTls: 'never' })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });

  const pki = makePki('Relay');
  const relay = pki.leaf({ subject: '/CN=localhost', keyUsage: 'digitalSignature,keyEncipherment', extendedKeyUsage: 'serverAuth', extensions: ['subjectAltName=DNS:localhost,IP:127.0.0.1'] });
  const tlsServer = { key: readFileSync(relay.keyPath), cert: `${relay.pem}${pki.intermediate.pem}` };
  const trust = { ca: pki.root.pem };

  it('upgrades with STARTTLS when offered, then authenticates over TLS', async () => {
    const smtp = await server({ ...tlsServer, hideSTARTTLS: false, authOptional: false });
    await transport(smtp.port, { tls: trust, auth: { user: 'cem', pass: 's3cret pass' } }).sendEmail(plainEmail);
    expect(smtp.received[0]).toMatchObject({ secure: true, user: 'cem' });
  });

  it('fails rather than falls back when the STARTTLS certificate is not trusted', async () => {
    const smtp = await server({ ...tlsServer, hideSTARTTLS: false });
    expect(failureOf(await rejection(transport(smtp.port).sendEmail(plainEmail))).phase).toBe('STARTTLS');
    expect(smtp.received).toHaveLength(0);
  });

  it('fails when STARTTLS is required but not offered', async () => {
    const smtp = await server({ disabledCommands: ['STARTTLS'] });
    expect(failureOf(await rejection(transport(smtp.port, { startTls: 'required' }).sendEmail(plainEmail))).phase).toBe('STARTTLS');
    expect(smtp.received).toHaveLength(0);
  });

  it('speaks TLS from the first byte with secure: true', async () => {
    const smtp = await server({ ...tlsServer, secure: true });
    await transport(smtp.port, { secure: true, tls: trust, host: 'localhost' }).sendEmail(plainEmail);
    expect(smtp.received[0]?.secure).toBe(true);
  });
});

describe('SMTP failures', () => {
  it('fails with CEM_PORT_FAILED and the 550 reply when a recipient is refused (the others got the message)', async () => {
    const smtp = await server({
      onRcptTo(address, _session, callback) {
        if (address.address === 'gone@partner.example') callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
        else callback();
      },
    });
    const error = await rejection(transport(smtp.port).sendEmail({ ...plainEmail, to: ['edi@partner.example', 'gone@partner.example'] }));
    const failure = failureOf(error);
    expect(failure).toMatchObject({ phase: 'RCPT TO', replyCode: 550, rejected: ['gone@partner.example'] });
    expect(failure.reply).toContain('No such user');
    expect((error as Error).message).toContain('No such user');
    // Delivery is at least once: the accepted recipient has it, and would get it again on a retry.
    expect(smtp.received.map((m) => m.rcptTo)).toEqual([['edi@partner.example']]);
  });

  it('fails with the 550 reply and delivers nothing when every recipient is refused', async () => {
    const smtp = await server({
      onRcptTo: (_address, _session, callback) => callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 })),
    });
    const failure = failureOf(await rejection(transport(smtp.port).sendEmail(plainEmail)));
    expect(failure).toMatchObject({ phase: 'RCPT TO', replyCode: 550, timedOut: false });
    expect(smtp.received).toHaveLength(0);
  });

  it('fails with phase DATA and the reply when the message is refused after DATA', async () => {
    const smtp = await server({
      onData(stream, _session, callback) {
        stream.on('end', () => callback(Object.assign(new Error('5.7.1 Message rejected as spam'), { responseCode: 554 })));
        stream.resume();
      },
    });
    const failure = failureOf(await rejection(transport(smtp.port).sendEmail(plainEmail)));
    expect(failure).toMatchObject({ phase: 'DATA', replyCode: 554, timedOut: false });
    expect(failure.reply).toContain('Message rejected as spam');
  });

  it('times out when the server never greets', async () => {
    const raw = await startRawServer(() => undefined);
    closeAfterTest(raw.close);
    const started = Date.now();
    const failure = failureOf(await rejection(transport(raw.port, { timeoutMs: 300 }).sendEmail(plainEmail)));
    expect(failure).toMatchObject({ phase: 'greeting', timedOut: true, replyCode: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('times out when the server never answers the end of DATA', async () => {
    const smtp = await server({ onData: (stream) => stream.resume() });
    const started = Date.now();
    const failure = failureOf(await rejection(transport(smtp.port, { timeoutMs: 400 }).sendEmail(plainEmail)));
    expect(failure).toMatchObject({ phase: 'DATA', timedOut: true, replyCode: null });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('times out in phase session when the server goes silent before DATA', async () => {
    const smtp = await server({ onRcptTo: () => undefined });
    const failure = failureOf(await rejection(transport(smtp.port, { timeoutMs: 400 }).sendEmail(plainEmail)));
    expect(failure).toMatchObject({ phase: 'session', timedOut: true, replyCode: null });
    expect(smtp.received).toHaveLength(0);
  });

  it('fails with phase connect when nothing listens', async () => {
    const raw = await startRawServer(() => undefined);
    await raw.close();
    expect(failureOf(await rejection(transport(raw.port).sendEmail(plainEmail))).phase).toBe('connect');
  });

  it('reads multi-line replies and falls back to HELO when EHLO is refused', async () => {
    const commands: string[] = [];
    const raw = await startRawServer(async (socket, lines) => {
      socket.write('220-relay.example ESMTP\r\n220-no pipelining here\r\n220 ready\r\n');
      let inData = false;
      for await (const line of lines) {
        if (inData) {
          if (line === '.') {
            inData = false;
            socket.write('250 2.0.0 queued\r\n');
          }
          continue;
        }
        commands.push(line);
        if (line.startsWith('EHLO')) socket.write('502 5.5.1 EHLO not implemented\r\n');
        else if (line === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (line === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250-ok\r\n250 ok\r\n');
      }
    });
    closeAfterTest(raw.close);
    await transport(raw.port).sendEmail(plainEmail);
    expect(commands).toEqual(['EHLO as2.me.example', 'HELO as2.me.example', 'MAIL FROM:<as2@me.example>', 'RCPT TO:<edi@partner.example>', 'DATA']);
  });

  it('refuses a reply without a code with CEM_PORT_FAILED', async () => {
    const raw = await startRawServer((socket) => {
      socket.write('hello, this is not SMTP\r\n');
    });
    closeAfterTest(raw.close);
    const failure = failureOf(await rejection(transport(raw.port).sendEmail(plainEmail)));
    expect(failure).toMatchObject({ phase: 'greeting', timedOut: false });
  });

  it('reads a reply that arrives split across packets', async () => {
    const raw = await startRawServer(async (socket, lines) => {
      for (const piece of ['22', '0-relay', '\r\n220', ' ready\r', '\n']) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 20));
      }
      for await (const line of lines) {
        if (line.startsWith('EHLO')) socket.write('250-relay\r\n25');
        if (line.startsWith('EHLO')) setTimeout(() => socket.write('0 8BITMIME\r\n'), 20);
        else if (line === 'DATA') socket.write('354 go\r\n');
        else if (line === '.') socket.write('250 queued\r\n');
        else if (line === 'QUIT') socket.end('221 bye\r\n');
        else if (/^(MAIL|RCPT)/.test(line)) socket.write('250 ok\r\n');
      }
    });
    closeAfterTest(raw.close);
    await transport(raw.port).sendEmail(plainEmail);
  });

  it('ignores plaintext a server slips in after its STARTTLS reply, and fails in phase STARTTLS', async () => {
    const commands: string[] = [];
    const raw = await startRawServer(async (socket, lines) => {
      socket.write('220 ready\r\n');
      for await (const line of lines) {
        commands.push(line);
        if (line.startsWith('EHLO')) socket.write('250-relay\r\n250 STARTTLS\r\n');
        else if (line === 'STARTTLS') {
          socket.write('220 go ahead\r\n250 injected\r\n');
          // No TLS handshake follows: the relay hangs up.
          setTimeout(() => socket.destroy(), 200);
        }
      }
    });
    closeAfterTest(raw.close);
    const failure = failureOf(await rejection(transport(raw.port).sendEmail(plainEmail)));
    expect(failure).toMatchObject({ phase: 'STARTTLS', timedOut: false });
    // The injected reply did not count as anything: no SMTP command went out after STARTTLS (the
    // client's TLS handshake bytes may reach the relay before it hangs up: they are no command).
    expect(commands.slice(0, 2)).toEqual(['EHLO as2.me.example', 'STARTTLS']);
    expect(commands.slice(2).filter((line) => /^(EHLO|HELO|MAIL|RCPT|DATA|QUIT|AUTH|RSET|NOOP|STARTTLS)\b/i.test(line))).toEqual([]);
  });
});
