// Administrator alerts by e-mail: the lifecycle's own alerts (built by the policy layer from real
// certificates) through createEmailNotifier and the nodemailer SMTP adapter to smtp-server on
// loopback, read back with Python's e-mail parser.
import { describe, expect, it } from 'vitest';
import { createEmailNotifier, createSmtpEmailTransport } from '../../src/adapters/smtp/index.js';
import { readCertificate } from '../../src/crypto/index.js';
import { expiringAlert, requestOverdueAlert, requestReceivedAlert, serverConflictAlert } from '../../src/policy/alerts.js';
import type { CemAlertNotice } from '../../src/ports/notifier.js';
import { toCertRef } from '../../src/state/relationship/cert-ref.js';
import { makePki } from '../helpers/pki.js';
import { parseWithPython, serversClosedAfterEach } from './smtp-helpers.js';

const { server } = serversClosedAfterEach();

// The engine hands notices with `relationshipId: null` when no partner is concerned.
const asNotice = (alert: object): CemAlertNotice => alert as CemAlertNotice;

const pki = makePki('Notify');
const signing = toCertRef(readCertificate(pki.leaf({ subject: '/CN=Globex AS2 Signing 2/O=Globex Corporation' }).der));
const encryption = toCertRef(readCertificate(pki.leaf({ subject: '/CN=Globex AS2 Encryption 2/O=Globex Corporation' }).der));

describe('createEmailNotifier through the SMTP adapter', () => {
  it('mails one readable e-mail per alert: partner name, certificates, respond-by in the partner offset', async () => {
    const smtp = await server();
    const transport = createSmtpEmailTransport({ host: '127.0.0.1', port: smtp.port, from: 'AS2 Gateway <as2@acme.example>', timeoutMs: 5_000 });
    const lookedUp: string[] = [];
    const notifier = createEmailNotifier({
      to: ['PKI Team <pki@acme.example>', 'ops@acme.example'],
      transport,
      partner: async (id) => (lookedUp.push(id), id === 'globex' ? { name: 'Globex Corporation', zone: { offsetMinutes: -300 } } : undefined),
    });
    const received = requestReceivedAlert('globex', 'globex/req-1', 'globex-req-000001', '2027-03-05T09:00:00.000Z', [
      { cert: signing, usages: ['digitalSignature'] },
      { cert: encryption, usages: ['keyEncipherment'], problems: ['keyUsageMissing'] },
    ]);
    await notifier.notify(asNotice(received));
    await notifier.notify(asNotice(requestOverdueAlert('globex', 'acme-req-000007', '2027-03-31T09:00:00.000Z', '2027-04-01')));

    expect(lookedUp).toEqual(['globex', 'globex']);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[0]!.rcptTo).toEqual(['pki@acme.example', 'ops@acme.example']);
    const first = parseWithPython(smtp.received[0]!.raw);
    expect(first.defects).toEqual([]);
    expect(first.headers.subject).toEqual(['[CEM] warning: Globex Corporation: requestReceived']);
    expect(first.headers.from).toEqual(['AS2 Gateway <as2@acme.example>']);
    const text = first.text.replace(/\r\n/g, '\n');
    expect(text).toContain('Partner:      Globex Corporation (relationship globex)');
    expect(text).toContain('Request:      globex-req-000001');
    // 09:00 UTC in the partner's offset (UTC-5), the same form as the CEM XML.
    expect(text).toContain('Respond by:   2027-03-05T04:00:00-05:00');
    expect(text).toContain('(respond by 2027-03-05T04:00:00-05:00)');
    expect(text).not.toMatch(/\d{2}:\d{2}:\d{2}\.\d{3}Z/);
    for (const cert of [signing, encryption]) {
      expect(text).toContain(`  - ${cert.subject} (serial ${cert.serial})`);
      expect(text).toContain(`    fingerprint: ${cert.fingerprint}`);
      expect(text).toContain(`    issuer:      ${cert.issuer}`);
    }
    expect(text).toContain('    usages:      keyEncipherment');
    expect(text).toContain('    problems:    keyUsageMissing');
    expect(text).toContain(`De-duplication key: ${received.dedupeKey}`);

    const second = parseWithPython(smtp.received[1]!.raw);
    expect(second.headers.subject).toEqual(['[CEM] warning: Globex Corporation: requestOverdue']);
    expect(second.text).toContain('Respond by:   2027-03-31T04:00:00-05:00');
  });

  it('names the relationship id when the partner is unknown, and uses the default zone for alerts of no partner', async () => {
    const smtp = await server();
    const transport = createSmtpEmailTransport({ host: '127.0.0.1', port: smtp.port, from: 'as2@acme.example', timeoutMs: 5_000 });
    const notifier = createEmailNotifier({
      to: 'pki@acme.example',
      from: 'CEM alerts <cem-alerts@acme.example>',
      transport,
      partner: { globex: { name: 'Globex Corporation' } },
      zone: { timeZone: 'Asia/Kolkata' },
      minSeverity: 'warning',
    });
    await notifier.notify(asNotice(expiringAlert({ relationshipId: 'initech', side: 'partner', usage: 'signing' }, signing, new Date(Date.parse(signing.notAfter) + 1000), '2030-01-01')));
    await notifier.notify(asNotice(serverConflictAlert('HTTP', [signing.fingerprint, encryption.fingerprint], '2027-03-02')));
    // Below minSeverity: not mailed.
    await notifier.notify({ kind: 'requestAutoAccepted', dedupeKey: 'k', severity: 'info', relationshipId: 'globex', message: 'done', details: {} });
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[0]!.mailFrom).toBe('cem-alerts@acme.example');
    const expiring = parseWithPython(smtp.received[0]!.raw);
    expect(expiring.headers.subject).toEqual(['[CEM] critical: initech: certificateExpiring']);
    expect(expiring.text.replace(/\r\n/g, '\n')).toContain('Partner:      initech\n');
    const conflict = parseWithPython(smtp.received[1]!.raw);
    expect(conflict.headers.subject).toEqual(['[CEM] critical: all partners: serverCertificateConflict']);
    expect(conflict.text).not.toContain('Partner:');
    expect(conflict.text).toContain(`  - ${encryption.fingerprint}`);
    // Validity dates in the default zone (India, +05:30).
    expect(expiring.text).toMatch(/valid: {7}\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30 to \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30/);
  });

  it('rejects with CEM_PORT_FAILED when the relay refuses, so the engine keeps the notice', async () => {
    const smtp = await server({ onRcptTo: (_a, _s, callback) => callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 })) });
    const notifier = createEmailNotifier({ to: 'pki@acme.example', transport: createSmtpEmailTransport({ host: '127.0.0.1', port: smtp.port, from: 'as2@acme.example', timeoutMs: 5_000 }) });
    await expect(notifier.notify(asNotice(requestOverdueAlert('globex', 'r1', null, '2027-04-01')))).rejects.toMatchObject({ code: 'CEM_PORT_FAILED', cause: { phase: 'RCPT TO', replyCode: 550 } });
  });

  it('refuses invalid options with CEM_ARGUMENT', () => {
    const transport = { sendEmail: async () => undefined };
    expect(() => createEmailNotifier({ to: [], transport })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => createEmailNotifier({ to: 'not an address', transport })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => createEmailNotifier({ to: 'a@b.example', from: 'x', transport })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => createEmailNotifier({ to: 'a@b.example', transport: {} as typeof transport })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});
