import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCertsOnly } from '../../src/crypto/certs-only.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import type { CemPorts } from '../../src/ports/ports.js';
import type { TestCert } from '../helpers/pki.js';
import { days, fingerprint, setupPair, source, twoPartnerPki } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
let a3: TestCert;
beforeAll(() => {
  pki = twoPartnerPki();
  a3 = pki.alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 3 encryption', keyUsage: 'keyEncipherment' });
});

describe('sending our certificates', () => {
  it('sends by email with status Emailed when the partner has not shown CEM, and activates only on set as active', async () => {
    const { a } = await setupPair(pki, { learn: false });
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    expect(sent.channel).toBe('email');
    expect(a.ports.transport.requests).toHaveLength(0);
    const [email] = a.ports.transport.emails;
    expect(email?.to).toBe('edi@beta.test');
    expect(email?.attachments).toHaveLength(1);
    expect(email?.attachments[0]?.contentType).toBe('application/pkcs7-mime; smime-type=certs-only');
    const certs = decodeCertsOnly(email!.attachments[0]!.content);
    expect(Buffer.from(certs[0]!).equals(Buffer.from(pki.a2.der))).toBe(true);
    expect(certs).toHaveLength(3);
    const [status] = await a.engine.status('beta');
    expect(status?.status).toBe('Emailed');
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a1));
    const activated = await a.engine.setActive('beta', 'local', 'signing');
    expect(activated.applied).toBe(true);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
  });

  it('turns a transport without sendEmail into an emailFailed event (SendFailed and an alert), not a crash', async () => {
    const noEmail = (ports: CemPorts): CemPorts => ({ ...ports, transport: { sendRequest: (m) => ports.transport.sendRequest(m), sendResponse: (m) => ports.transport.sendResponse(m) } });
    const { a } = await setupPair(pki, { learn: false, wrapA: noEmail });
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    expect(sent.applied).toBe(true);
    expect((await a.engine.status('beta'))[0]?.status).toBe('SendFailed');
    expect(a.ports.notifier.ofKind('sendFailed')).toHaveLength(1);
    expect(a.ports.audit.ofType('effect:sendEmail')).toHaveLength(1);
  });

  it('leaves a request SendFailed with an alert when the transport fails, and retry sends the byte-identical request', async () => {
    const { a, b, net } = await setupPair(pki, { b: { settings: { autoAccept: true } } });
    a.ports.transport.failNext(1);
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    expect(sent.applied).toBe(true);
    expect(a.ports.transport.requests).toHaveLength(0);
    expect((await a.engine.status('beta'))[0]?.status).toBe('SendFailed');
    const [alert] = a.ports.notifier.ofKind('sendFailed');
    expect(alert?.message).toContain(sent.requestId);
    expect((await a.engine.inspect()).outbound[sent.requestId!]?.lastError).toMatch(/^CEM_PORT_FAILED: sendRequest failed: Error: memory transport/);
    a.ports.clock.advance({ hours: 3 });
    const retried = await a.engine.retry(sent.requestId!);
    expect(retried.applied).toBe(true);
    const failed = a.ports.transport.failures[0]?.entry;
    const ok = a.ports.transport.requests[0];
    expect(failed?.kind).toBe('request');
    if (failed?.kind !== 'request' || ok === undefined) throw new Error('missing sends');
    expect(ok.requestId).toBe(sent.requestId);
    expect(Buffer.from(ok.body).equals(Buffer.from(failed.message.body))).toBe(true);
    await net.deliver();
    expect(b.ports.transport.responses).toHaveLength(1);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
  });

  it('marks rejected certificates Rejected with the reason and activates the accepted ones', async () => {
    const { a, b, net } = await setupPair(pki);
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2'), encryption: source(a3, pki.alpha, 'key:a3') });
    const [request] = await net.deliver();
    if (request?.outcome?.kind !== 'request') throw new Error('expected a request');
    expect(request.outcome.certificates).toHaveLength(2);
    await b.engine.respond(request.outcome.exchangeKey, [
      { fingerprint: fingerprint(pki.a2), accept: true },
      { fingerprint: fingerprint(a3), accept: false, reason: 'key too weak for our policy' },
    ]);
    const [response] = await net.deliver();
    expect(response?.outcome).toMatchObject({ kind: 'response', requestId: sent.requestId, status: 'rejected' });
    const [status] = await a.engine.status('beta');
    expect(status?.status).toBe('Rejected');
    const rejected = status?.certificates.find((c) => c.fingerprint === fingerprint(a3));
    expect(rejected).toMatchObject({ side: 'local', usage: 'encryption', status: 'Rejected', reason: 'key too weak for our policy' });
    const resolved = await a.engine.resolve('beta');
    expect(resolved?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
    expect(resolved?.decryptInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a1)]);
    // The partner's Response echoes our identifiers and carries the reason.
    const wire = b.ports.transport.responses[0]!;
    const parsed = parseCemEntity({ contentType: wire.contentType, body: wire.body });
    expect(parsed.kind === 'response' && parsed.response.trustResponses.find((t) => t.status === 'Rejected')?.reason).toBe('key too weak for our policy');
  });

  it('expires an unanswered request at its respond-by time, alerts at once and then daily for weeks, and stops after a resend is answered', async () => {
    const { a, b, net, clock } = await setupPair(pki, { a: { settings: { maxResponseDays: 7 } }, b: { settings: { autoAccept: true } } });
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    net.drop();
    await days({ clock }, [a], 6);
    expect(a.ports.notifier.ofKind('requestOverdue')).toHaveLength(0);
    await days({ clock }, [a], 1);
    expect((await a.engine.status('beta'))[0]?.status).toBe('Expired');
    expect(a.ports.notifier.ofKind('requestOverdue')).toHaveLength(1);
    await days({ clock }, [a], 21);
    const overdue = a.ports.notifier.ofKind('requestOverdue');
    expect(overdue).toHaveLength(22);
    expect(new Set(overdue.map((n) => n.dedupeKey)).size).toBe(22);
    // Ticking again the same day fires nothing new.
    await a.engine.tick();
    expect(a.ports.notifier.ofKind('requestOverdue')).toHaveLength(22);
    // The signing certificate was never used while unanswered.
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a1));

    const again = await a.engine.resend(sent.requestId!);
    expect(again.channel).toBe('cem');
    expect(again.requestId).not.toBe(sent.requestId);
    await net.deliver();
    expect(b.ports.transport.responses.map((r) => r.requestId)).toEqual([again.requestId]);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
    await days({ clock }, [a], 5);
    expect(a.ports.notifier.ofKind('requestOverdue')).toHaveLength(22);
    expect((await a.engine.status('beta'))[0]?.status).toBe('Active');
  });

  it('stops the daily overdue alerts once the administrator set every expired certificate active', async () => {
    const { a, clock } = await setupPair(pki, { a: { settings: { maxResponseDays: 3 } } });
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    await days({ clock }, [a], 5);
    expect(a.ports.notifier.ofKind('requestOverdue')).toHaveLength(3);
    await a.engine.setActive('beta', 'local', 'signing');
    await days({ clock }, [a], 1);
    // The same certificate also waits as our encryption certificate: the request is still open.
    expect(a.ports.notifier.ofKind('requestOverdue')).toHaveLength(4);
    await a.engine.setActive('beta', 'local', 'encryption');
    await days({ clock }, [a], 5);
    expect(a.ports.notifier.ofKind('requestOverdue')).toHaveLength(4);
    expect((await a.engine.status('beta'))[0]?.status).toBe('Active');
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
  });

  it('starts signing with the new certificate once the respond-by time passed when configured to (draft §2.4)', async () => {
    const { a, clock } = await setupPair(pki, { a: { settings: { maxResponseDays: 2, useAfterRespondBy: true } } });
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    await days({ clock }, [a], 1);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a1));
    await days({ clock }, [a], 1);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
  });

  it('turns a delivered request into SendFailed on a later negative MDN, and refuses a second selection of a pending usage', async () => {
    const { a, net } = await setupPair(pki);
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    const twice = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    expect(twice.applied).toBe(false);
    expect(twice.refusal?.reason).toBe('alreadyPending');
    expect(twice.requestId).toBeNull();
    const failed = await a.engine.reportRequestFailed(sent.requestId!, 'MDN processed/error: unexpected-processing-error');
    expect(failed.applied).toBe(true);
    expect((await a.engine.status('beta'))[0]?.status).toBe('SendFailed');
    await a.engine.retry(sent.requestId!);
    expect(a.ports.transport.requests.map((r) => r.requestId)).toEqual([sent.requestId, sent.requestId]);
    expect(Buffer.from(a.ports.transport.requests[0]!.body).equals(Buffer.from(a.ports.transport.requests[1]!.body))).toBe(true);
    await net.deliver();
    expect((await a.engine.status('beta'))[0]?.status).toBe('Pending');
  });

  it('writes MessageOriginated and RespondByDate in the configured zone', async () => {
    const { a } = await setupPair(pki, { a: { zone: { timeZone: 'Asia/Kathmandu' } } });
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    const m = a.ports.transport.requests[0]!;
    const parsed = parseCemEntity({ contentType: m.contentType, body: m.body });
    if (parsed.kind !== 'request') throw new Error('expected a request');
    expect(parsed.request.originated.lexical.endsWith('+05:45')).toBe(true);
    expect(parsed.request.originated.instant.getTime()).toBe(Math.floor(a.ports.clock.now().getTime() / 1000) * 1000);
    expect(parsed.request.trustRequests[0]?.respondBy?.lexical.endsWith('+05:45')).toBe(true);
  });

  it('goes by email when the relationship is not established, even for a partner marked CEM-capable', async () => {
    const { a } = await setupPair(pki);
    await a.engine.addRelationship({ id: 'newco', localName: 'ALPHA', partnerName: 'NEWCO', protocol: 'AS2', cemOverride: 'capable', responseUrl: 'https://alpha.test/as2', partnerEmail: 'edi@newco.test', local: { signing: source(pki.a1, pki.alpha) } });
    const sent = await a.engine.sendCertificates('newco', { signing: source(pki.a2, pki.alpha) });
    expect(sent.channel).toBe('email');
    expect((await a.engine.status('newco'))[0]).toMatchObject({ established: false, cemChannel: false, status: 'Emailed' });
  });

  it('leaves already active certificates out (refusing when nothing new remains) or re-sends them with the new ones when asked', async () => {
    const { a } = await setupPair(pki);
    const nothing = await a.engine.sendCertificates('beta', { signing: source(pki.a1, pki.alpha) });
    expect(nothing).toMatchObject({ applied: false, refusal: { reason: 'nothingToSend' }, requestId: null });
    const mixed = await a.engine.sendCertificates('beta', { signing: source(pki.a1, pki.alpha), encryption: source(a3, pki.alpha, 'key:a3'), includeActive: true });
    expect(mixed.applied).toBe(true);
    const m = a.ports.transport.requests[0]!;
    const parsed = parseCemEntity({ contentType: m.contentType, body: m.body });
    if (parsed.kind !== 'request') throw new Error('expected a request');
    expect(parsed.certificates.map((c) => c.endEntity.sha256).sort()).toEqual([fingerprint(pki.a1), fingerprint(a3)].sort());
    const respondBy = parsed.request.trustRequests[0]?.respondBy?.instant.getTime();
    expect(respondBy).toBe(Math.floor(a.ports.clock.now().getTime() / 1000) * 1000 + 30 * 86_400_000);
  });
});
