// Runs every example's main() and checks what it did, so the examples cannot rot.
import { beforeAll, describe, expect, it } from 'vitest';
import { main as demo, type DemoSummary } from '../../examples/demo.js';
import { main as emailFallback, type EmailFallbackSummary } from '../../examples/email-fallback.js';
import { main as hostIntegration, type HostIntegrationSummary } from '../../examples/host-integration.js';
import { main as scheduledRollover, type ScheduledRolloverSummary } from '../../examples/scheduled-rollover.js';
import { main as tlsServerRollover } from '../../examples/tls-server-rollover.js';
import { main as twoPartnerExchange, type StepView, type TwoPartnerSummary } from '../../examples/two-partner-exchange.js';
import { localCertificate, nameOf } from '../../examples/certs/index.js';
import { createManualClock, parseCemEntity } from '../../examples/sdk.js';
import { addRelationship, createEngineParty } from '../../examples/support/parties.js';
import { createTimeline } from '../../examples/timeline.js';

describe('two-partner-exchange', () => {
  let s: TwoPartnerSummary;
  const step = (name: string): StepView => {
    const found = s.steps.find((x) => x.step === name);
    if (found === undefined) throw new Error(`no step ${name}`);
    return found;
  };
  beforeAll(async () => {
    s = await twoPartnerExchange();
  });

  it('starts with the old certificates on both sides', () => {
    expect(step('start').acme).toMatchObject({ sign: 'acme-sign-1', encrypt: 'globex-enc-1', decrypt: ['acme-enc-1'], verify: ['globex-sign-1'] });
    expect(step('start').globex).toMatchObject({ sign: 'globex-sign-1', encrypt: 'acme-enc-1', decrypt: ['globex-enc-1'], verify: ['acme-sign-1'] });
  });

  it('decrypts with old and new from the moment Acme sends, and keeps signing with the old one', () => {
    expect(step('acme sent').acme).toMatchObject({ sign: 'acme-sign-1', decrypt: ['acme-enc-1', 'acme-enc-2'] });
    expect(step('acme sent').globex).toMatchObject({ encrypt: 'acme-enc-1', verify: ['acme-sign-1'] });
  });

  it('makes Globex encrypt to the new certificate at once on acceptance and verify both signatures', () => {
    expect(step('globex accepted').globex).toMatchObject({ encrypt: 'acme-enc-2', verify: ['acme-sign-1', 'acme-sign-2'] });
    expect(step('globex accepted').acme.sign).toBe('acme-sign-1');
  });

  it('switches Acme signing at acceptance and its encryption at the first message encrypted to the new certificate', () => {
    expect(step('acme got the response').acme).toMatchObject({ sign: 'acme-sign-2', decrypt: ['acme-enc-2'] });
    expect(s.final.acme.certificates['local encryption acme-enc-1']).toBe('Archived');
  });

  it("retires Acme's old signing certificate at Globex on the first message signed with the new one", () => {
    expect(step('acme got the response').globex.verify).toEqual(['acme-sign-1', 'acme-sign-2']);
    expect(step('acme signed with the new certificate').globex.verify).toEqual(['acme-sign-2']);
  });

  it("expires Globex's unanswered request at its respond-by date with daily alerts on both sides", () => {
    expect(s.globexRequestWhileWaiting).toEqual(['pending', 'pending', 'expired', 'expired', 'expired']);
    expect(s.alerts.acme).toMatchObject({ requestReceived: 1, requestAwaitingAnswer: 2, responseOverdue: 3 });
    expect(s.alerts.globex.requestOverdue).toBe(3);
    expect(step('respond-by passed').globex.sign).toBe('globex-sign-1');
  });

  it('stops the daily alerts once every exchange is answered', () => {
    expect(s.alertsOnQuietDay).toBe(0);
  });

  it("activates Globex's new signing certificate on the late acceptance; Acme verifies both until first usage", () => {
    expect(step('acme accepted').globex.sign).toBe('globex-sign-2');
    expect(step('acme accepted').acme.verify).toEqual(['globex-sign-1', 'globex-sign-2']);
    expect(step('globex signed with the new certificate').acme.verify).toEqual(['globex-sign-2']);
  });

  it('never resolves a certificate the other side cannot verify or decrypt', () => {
    for (const { acme, globex } of s.steps) {
      expect(globex.verify).toContain(acme.sign);
      expect(globex.decrypt).toContain(acme.encrypt);
      expect(acme.verify).toContain(globex.sign);
      expect(acme.decrypt).toContain(globex.encrypt);
    }
    expect(s.undeliverable).toBe(0);
    expect(s.deliveries).toBe(9);
  });

  it('ends Active on both sides after one request and one response each way', () => {
    expect(s.sent.acme).toEqual({ requests: 1, responses: 1, emails: 0 });
    expect(s.sent.globex).toEqual({ requests: 1, responses: 1, emails: 0 });
    expect(s.final.acme.relationship).toBe('Active');
    expect(s.final.globex.relationship).toBe('Active');
    expect(s.final.acme.certificates).toMatchObject({ 'local signing acme-sign-2': 'Active', 'local signing acme-sign-1': 'Archived', 'partner signing globex-sign-2': 'Active', 'partner signing globex-sign-1': 'Archived' });
    expect(s.final.globex.certificates).toMatchObject({ 'local signing globex-sign-2': 'Active', 'partner encryption acme-enc-2': 'Active', 'partner signing acme-sign-1': 'Archived' });
  });
});

describe('email-fallback', () => {
  let s: EmailFallbackSummary;
  beforeAll(async () => {
    s = await emailFallback();
  });

  it('e-mails both certificates to a partner that never advertised CEM', () => {
    expect(s.cemChannelBefore).toBe(false);
    expect(s.channel).toBe('email');
    expect(s.sent).toEqual({ requests: 0, responses: 0, emails: 1 });
    expect(s.email?.to).toBe('edi@initech.example');
    expect([...(s.email?.attachments ?? [])].sort()).toEqual(['acme-enc-2', 'acme-sign-2']);
  });

  it('shows Emailed and decrypts with old and new while signing with the old certificate', () => {
    expect(s.afterEmail.status.relationship).toBe('Emailed');
    expect(s.afterEmail.status.certificates).toMatchObject({ 'local signing acme-sign-2': 'Emailed', 'local encryption acme-enc-2': 'Emailed' });
    expect(s.afterEmail.resolved).toMatchObject({ sign: 'acme-sign-1', decrypt: ['acme-enc-1', 'acme-enc-2'] });
  });

  it('stays Emailed after the partner used the new certificate and a week passed', () => {
    expect(s.afterPartnerSwitched.decrypted).toBe(true);
    expect(s.afterPartnerSwitched.status.relationship).toBe('Emailed');
    expect(s.afterPartnerSwitched.resolved.sign).toBe('acme-sign-1');
    expect(s.alerts['requestOverdue']).toBeUndefined();
  });

  it('becomes Active only by set as active', () => {
    expect(s.afterSetActive.status.relationship).toBe('Active');
    expect(s.afterSetActive.status.certificates).toMatchObject({ 'local signing acme-sign-1': 'Archived', 'local encryption acme-enc-1': 'Archived' });
    expect(s.afterSetActive.resolved).toMatchObject({ sign: 'acme-sign-2', decrypt: ['acme-enc-2'] });
    expect(s.alerts['certificateActivated']).toBe(2);
  });
});

describe('scheduled-rollover', () => {
  let s: ScheduledRolloverSummary;
  const stage = (name: string): ScheduledRolloverSummary['stages'][number] => {
    const found = s.stages.find((x) => x.stage === name);
    if (found === undefined) throw new Error(`no stage ${name}`);
    return found;
  };
  beforeAll(async () => {
    s = await scheduledRollover();
  });

  it('accepts old and new inbound while scheduled, and uses the old ones outbound', () => {
    expect(stage('scheduled').status.relationship).toBe('Scheduled');
    expect(stage('scheduled').resolved).toMatchObject({ sign: 'acme-sign-1', encrypt: 'globex-enc-1', decrypt: ['acme-enc-1', 'acme-enc-2'], verify: ['globex-sign-1', 'globex-sign-2'] });
    expect(s.sent.emails).toBe(2);
  });

  it('activates local encryption and partner signing early on first usage, and nothing else', () => {
    const early = stage('partner switched early');
    expect(early.resolved).toMatchObject({ sign: 'acme-sign-1', encrypt: 'globex-enc-1', decrypt: ['acme-enc-2'], verify: ['globex-sign-2'] });
    expect(early.status.certificates).toMatchObject({ 'local encryption acme-enc-2': 'Active', 'partner signing globex-sign-2': 'Active', 'local signing acme-sign-2': 'Scheduled', 'partner encryption globex-enc-2': 'Scheduled' });
    expect(stage('a minute before').resolved.sign).toBe('acme-sign-1');
  });

  it('activates the rest at the scheduled time through tick()', () => {
    const at = stage('activation time');
    expect(at.resolved).toMatchObject({ sign: 'acme-sign-2', encrypt: 'globex-enc-2' });
    expect(at.status.relationship).toBe('Active');
    expect(s.alerts['scheduledActivated']).toBe(4);
    expect(s.allDelivered).toBe(true);
  });
});

describe('tls-server-rollover', () => {
  it.each(['resend', 'setServerActive'] as const)('installs the new listener certificate exactly once after a rejection (%s)', async (resolution) => {
    const s = await tlsServerRollover({ resolution });
    expect(Object.values(s.presentedBefore)).toEqual(['acme-tls-1', 'acme-tls-1', 'acme-tls-1']);
    expect(s.installsWhileRejected).toBe(0);
    expect(s.alerts['serverCertificateRejected']).toBe(1);
    expect(s.alerts['serverCertificatePending']).toBeGreaterThanOrEqual(1);
    expect(s.installs).toEqual(['acme-tls-2']);
    expect(Object.values(s.presentedAfter)).toEqual(['acme-tls-2', 'acme-tls-2', 'acme-tls-2']);
    expect(s.laterSetServerActiveRefused).toBe(true);
    expect(s.answers).toEqual({ Initech: 'accepted', Umbrella: 'accepted', Hooli: resolution === 'resend' ? 'accepted' : 'rejected' });
    expect(s.sent.requests).toBe(resolution === 'resend' ? 4 : 3);
    expect(s.partnerTrust['Initech']).toContain('acme-tls-2');
    expect(s.partnerTrust['Umbrella']).toContain('acme-tls-2');
    expect(s.partnerTrust['Hooli']?.includes('acme-tls-2')).toBe(resolution === 'resend');
  });
});

describe('host-integration', () => {
  let s: HostIntegrationSummary;
  beforeAll(async () => {
    s = await hostIntegration();
  });

  it('runs a CEM exchange through the host AS2 stack on the file store', () => {
    expect(s.storeFileWritten).toBe(true);
    expect(s.messagesCarried).toBe(4);
    expect(s.payloadsDelivered).toBe(2);
    expect([...s.acmeMdns, ...s.globexMdns].every((m) => m.startsWith('processed ('))).toBe(true);
    expect(s.notices).toContain('responseReceived');
  });

  it('sends the e-mail fallback through the SMTP adapter with certs-only attachments', () => {
    expect(s.smtp.messages).toBe(1);
    expect(s.smtp.rcptTo).toEqual(['edi@initech.example']);
    expect(s.smtp.certsOnlyAttachments).toBe(2);
  });

  it("e-mails every alert to the PKI team with the partner's name", () => {
    expect(s.alertEmails).toHaveLength(s.notices.length);
    const subjects = s.alertEmails.map((raw) => /^Subject: (.*)$/m.exec(raw)?.[1]);
    expect(subjects).toContain('[CEM] info: Globex Corporation: responseReceived');
    expect(s.alertEmails.join('\n')).toContain('Partner:      Globex Corporation (relationship globex)');
  });

  it('finds the state again after a restart on the same store directory', () => {
    expect(s.afterRestart.globex).toBe('Active');
    expect(s.afterRestart.initech).toBe('Emailed');
    expect(s.afterRestart.resolvedGlobex).toMatchObject({ sign: 'acme-sign-2', decrypt: ['acme-enc-2'] });
  });
});

describe('timeline', () => {
  it('prints the XML part of a CEM message exactly as sent', async () => {
    const clock = createManualClock(new Date('2027-03-01T09:00:00Z'));
    const acme = createEngineParty({ name: 'Acme', clock });
    const globex = createEngineParty({ name: 'Globex', clock });
    await addRelationship(acme, { signing: 'acme-sign-1', encryption: 'acme-enc-1' }, globex, { signing: 'globex-sign-1', encryption: 'globex-enc-1' });
    await acme.engine.updateRelationship('globex', { cemOverride: 'capable' });
    const lines: string[] = [];
    const timeline = createTimeline({ clock, parties: [acme], write: (l) => lines.push(l), label: nameOf });
    await timeline.flush();
    await acme.engine.sendCertificates('globex', { signing: localCertificate('acme-sign-2') });
    await timeline.flush();
    const [request] = acme.ports.transport.requests;
    if (request === undefined) throw new Error('no request sent');
    const xml = parseCemEntity({ contentType: request.contentType, body: request.body }).xml;
    const printed = lines.filter((l) => l.startsWith('    | ')).map((l) => l.slice(6)).join('\n');
    expect(printed).toBe(xml.replace(/\s+$/, ''));
    expect(lines).toContain('  [Acme] globex local signing acme-sign-2: new, Pending');
  });
});

describe('demo', () => {
  let d: DemoSummary;
  beforeAll(async () => {
    d = await demo();
  });

  it('prints a timeline under 300 lines with every message, status change, alert and day', () => {
    const text = d.lines.join('\n');
    expect(d.lines.length).toBeLessThan(300);
    expect(text.match(/<EDIINTCertificateExchangeRequest /g)).toHaveLength(2);
    expect(text.match(/<EDIINTCertificateExchangeResponse /g)).toHaveLength(2);
    for (const day of [0, 1, 2, 3, 4, 5, 6, 7]) expect(text).toContain(`=== Day ${day}: `);
    for (const kind of ['requestReceived', 'requestAwaitingAnswer', 'requestOverdue', 'responseOverdue', 'responseReceived', 'certificateActivated']) {
      expect(text).toContain(`ALERT ${kind} `);
    }
    expect(text).toContain('[Globex] acme local signing globex-sign-2: Pending -> Expired');
    expect(text).toContain('[Acme] globex local encryption acme-enc-1: Active -> Archived (firstUsage)');
    expect(text).toContain('[Acme] globex partner signing globex-sign-1: Active -> Archived (firstUsage)');
    expect(text).toContain('0 that the receiver could not decrypt or verify');
  });

  it('prints every date as the CEM XML does (never an ISO Z instant) and no empty day', () => {
    const text = d.lines.join('\n');
    expect(text).toContain('<RespondByDate>2027-03-05T09:00:00+00:00</RespondByDate>');
    expect(text).toContain('awaits a decision (respond by 2027-03-05T09:00:00+00:00)');
    expect(text).not.toMatch(/\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
    d.lines.forEach((line, i) => {
      if (!line.startsWith('=== Day ')) return;
      const next = d.lines.slice(i + 1).find((l) => l.trim() !== '');
      expect(next === undefined || next.startsWith('===') ? `${line} is empty` : 'ok').toBe('ok');
    });
  });

  it('runs the same exchange as the example', () => {
    expect(d.exchange.final.acme.relationship).toBe('Active');
    expect(d.exchange.final.globex.relationship).toBe('Active');
    expect(d.exchange.timelineLines).toBeGreaterThan(100);
  });
});
