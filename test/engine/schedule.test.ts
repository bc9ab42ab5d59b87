import { beforeAll, describe, expect, it } from 'vitest';
import { days, fingerprint, setupPair, source, twoPartnerPki } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
beforeAll(() => {
  pki = twoPartnerPki();
});

const NO_CEM = 'multiple-attachments';

describe('scheduling certificates for future use', () => {
  it('switches both sides at the scheduled time, with every message in between verifiable', async () => {
    const { a, b, net, clock } = await setupPair(pki, { features: NO_CEM });
    const at = new Date(clock.now().getTime() + 3 * 86_400_000);
    const mine = await a.engine.schedule({ relationshipId: 'beta', side: 'local', usage: 'signing', certificate: source(pki.a2, pki.alpha, 'key:a2'), activateAt: at });
    const theirs = await b.engine.schedule({ relationshipId: 'alpha', side: 'partner', usage: 'signing', certificate: source(pki.a2, pki.alpha), activateAt: at });
    expect([mine.applied, theirs.applied]).toEqual([true, true]);
    expect((await a.engine.status('beta'))[0]?.status).toBe('Scheduled');
    for (let day = 0; day < 5; day++) {
      await days({ clock }, [a, b], 1);
      await net.payload(a, b);
    }
    expect(net.log.every((d) => d.decrypted && d.verified)).toBe(true);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
    expect((await b.engine.resolve('alpha'))?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a2)]);
    expect(a.ports.notifier.ofKind('scheduledActivated')).toHaveLength(1);
    expect((await a.engine.status('beta'))[0]?.status).toBe('Active');
  });

  it('emails a scheduled certificate to the partner, and activates our encryption certificate early on first usage by a partner without CEM', async () => {
    const { a, b, net, clock } = await setupPair(pki, { features: NO_CEM });
    const at = new Date(clock.now().getTime() + 10 * 86_400_000);
    const scheduled = await a.engine.schedule({ relationshipId: 'beta', side: 'local', usage: 'encryption', certificate: source(pki.a2, pki.alpha, 'key:a2'), activateAt: at, emailPartner: true });
    expect(scheduled.applied).toBe(true);
    const [email] = a.ports.transport.emails;
    expect(email?.to).toBe('edi@beta.test');
    expect(email?.text).toContain(at.toISOString());
    expect(email?.attachments).toHaveLength(1);
    // The partner installs it early and starts encrypting to it.
    await b.engine.schedule({ relationshipId: 'alpha', side: 'partner', usage: 'encryption', certificate: source(pki.a2, pki.alpha), activateAt: at });
    await days({ clock }, [a, b], 2);
    await b.engine.setActive('alpha', 'partner', 'encryption');
    const delivery = await net.payload(b, a);
    expect(delivery.decrypted).toBe(true);
    const resolved = await a.engine.resolve('beta');
    expect(resolved?.decryptInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a2)]);
    expect(resolved?.decryptArchive.map((c) => c.fingerprint)).toContain(fingerprint(pki.a1));
    await days({ clock }, [a, b], 10);
    expect((await a.engine.resolve('beta'))?.decryptInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a2)]);
  });

  it('withdraws a scheduled certificate before its time: it never becomes active', async () => {
    const { a, clock } = await setupPair(pki, { features: NO_CEM });
    const at = new Date(clock.now().getTime() + 2 * 86_400_000);
    await a.engine.schedule({ relationshipId: 'beta', side: 'local', usage: 'signing', certificate: source(pki.a2, pki.alpha), activateAt: at });
    const cancelled = await a.engine.cancelSchedule('beta', 'local', 'signing');
    expect(cancelled.applied).toBe(true);
    await days({ clock }, [a], 4);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a1));
    expect(a.ports.notifier.ofKind('scheduledActivated')).toHaveLength(0);
  });

  it('activates a scheduled partner signing certificate early when a partner without CEM signs with it first', async () => {
    const { a, b, net, clock } = await setupPair(pki, { features: NO_CEM });
    const later = new Date(clock.now().getTime() + 10 * 86_400_000);
    await b.engine.schedule({ relationshipId: 'alpha', side: 'partner', usage: 'signing', certificate: source(pki.a2, pki.alpha), activateAt: later });
    await a.engine.schedule({ relationshipId: 'beta', side: 'local', usage: 'signing', certificate: source(pki.a2, pki.alpha, 'key:a2'), activateAt: new Date(clock.now().getTime() + 86_400_000) });
    await days({ clock }, [a, b], 2);
    const delivery = await net.payload(a, b);
    expect(delivery.verified).toBe(true);
    expect((await b.engine.resolve('alpha'))?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a2)]);
    expect(b.ports.notifier.ofKind('scheduledActivated')).toHaveLength(1);
  });

  it('alerts daily when an active certificate expires within the configured number of days', async () => {
    // Valid for 20 days from now; the test clock starts 9 to 33 hours from now.
    const short = pki.alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha short', days: 20 });
    const { a, clock } = await setupPair(pki, { features: NO_CEM, a: { settings: { expiryWarningDays: 5 } } });
    await a.engine.schedule({ relationshipId: 'beta', side: 'local', usage: 'signing', certificate: source(short, pki.alpha), activateAt: clock.now() });
    await days({ clock }, [a], 10);
    expect(a.ports.notifier.ofKind('certificateExpiring')).toHaveLength(0);
    await days({ clock }, [a], 8);
    const expiring = a.ports.notifier.ofKind('certificateExpiring').filter((n) => JSON.stringify(n.details).includes(fingerprint(short)));
    expect(expiring.length).toBeGreaterThanOrEqual(3);
    expect(new Set(expiring.map((n) => n.dedupeKey)).size).toBe(expiring.length);
  });
});
