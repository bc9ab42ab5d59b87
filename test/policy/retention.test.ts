import { describe, expect, it } from 'vitest';
import { isFinishedInbound, isFinishedOutbound, lastActivity, retentionDays, retentionPassed } from '../../src/policy/retention.js';
import { DEFAULT_SETTINGS, type InboundExchange, type InboundStatus, type OutboundExchange, type OutboundStatus } from '../../src/state/model.js';

const outbound = (changes: Partial<OutboundExchange> = {}): OutboundExchange => ({
  id: 'r1', relationshipId: 'acme', channel: 'cem', status: 'accepted', createdAt: '2026-01-01T00:00:00.000Z', originated: '2026-01-01T00:00:00.000Z',
  respondBy: '2026-01-31T00:00:00.000Z', xmlContentId: 'x@us', attempts: 1, lastError: null, activateAt: null, responseUrl: 'https://us.example/as2', emailTo: null,
  items: [
    { fingerprint: 'aa', cert: { fingerprint: 'aa', subject: 'CN=a', issuer: 'CN=ca', serial: '1', notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2029-01-01T00:00:00.000Z' },
      usages: ['digitalSignature'], contentId: 'c1@us', status: 'accepted', reason: null, respondedAt: '2026-01-05T00:00:00.000Z', previousStatus: null },
    { fingerprint: 'bb', cert: { fingerprint: 'bb', subject: 'CN=b', issuer: 'CN=ca', serial: '2', notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2029-01-01T00:00:00.000Z' },
      usages: ['keyEncipherment'], contentId: 'c2@us', status: 'accepted', reason: null, respondedAt: '2026-01-09T00:00:00.000Z', previousStatus: null },
  ],
  ...changes,
});

const inbound = (changes: Partial<InboundExchange> = {}): InboundExchange => ({
  key: 'acme/r1', requestId: 'r1', relationshipId: 'acme', messageId: 'm1', receivedAt: '2026-02-01T00:00:00.000Z', respondBy: null, items: [],
  status: 'answered', respondedAt: '2026-02-03T00:00:00.000Z', attempts: 1, lastError: null, ...changes,
});

describe('finished statuses', () => {
  const outboundTable: readonly [OutboundStatus, boolean][] = [
    ['sending', false], ['sendFailed', false], ['pending', false], ['expired', false], ['emailed', false],
    ['accepted', true], ['rejected', true], ['closed', true], ['superseded', true],
  ];
  it.each(outboundTable)('outbound %s → finished %s', (status, finished) => {
    expect(isFinishedOutbound(status)).toBe(finished);
  });

  const inboundTable: readonly [InboundStatus, boolean][] = [
    ['awaitingDecision', false], ['responding', false], ['responseFailed', false], ['answered', true], ['superseded', true],
  ];
  it.each(inboundTable)('inbound %s → finished %s', (status, finished) => {
    expect(isFinishedInbound(status)).toBe(finished);
  });

  it('counts an unknown status from storage as open', () => {
    expect(isFinishedOutbound('archived' as OutboundStatus)).toBe(false);
    expect(isFinishedInbound('toString' as InboundStatus)).toBe(false);
  });
});

describe('lastActivity', () => {
  it('is finishedAt when present', () => {
    expect(lastActivity(outbound({ finishedAt: '2026-06-01T00:00:00.000Z' }))).toBe(Date.parse('2026-06-01T00:00:00.000Z'));
    expect(lastActivity(inbound({ finishedAt: '2026-06-02T00:00:00.000Z' }))).toBe(Date.parse('2026-06-02T00:00:00.000Z'));
  });

  it('falls back to the newest instant an older record holds', () => {
    expect(lastActivity(outbound())).toBe(Date.parse('2026-01-09T00:00:00.000Z'));
    expect(lastActivity(outbound({ items: [] }))).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    expect(lastActivity(inbound())).toBe(Date.parse('2026-02-03T00:00:00.000Z'));
    expect(lastActivity(inbound({ respondedAt: null }))).toBe(Date.parse('2026-02-01T00:00:00.000Z'));
    expect(lastActivity(inbound({ finishedAt: 'not a date' }))).toBe(Date.parse('2026-02-03T00:00:00.000Z'));
  });

  it('is NaN without any valid instant, which never passes a retention', () => {
    const none = lastActivity(inbound({ receivedAt: 'x', respondedAt: null }));
    expect(none).toBeNaN();
    expect(retentionPassed(none, new Date('2100-01-01T00:00:00Z'), 1)).toBe(false);
  });
});

describe('retentionPassed and retentionDays', () => {
  const last = Date.parse('2026-01-01T00:00:00.000Z');
  it.each([
    ['2027-02-04T23:59:59.999Z', 400, false],
    ['2027-02-05T00:00:00.000Z', 400, true],
    ['2026-01-01T23:59:59.999Z', 1, false],
    ['2026-01-02T00:00:00.000Z', 1, true],
  ] as const)('at %s with %i days → %s', (now, days, passed) => {
    expect(retentionPassed(last, new Date(now), days)).toBe(passed);
  });

  it('reads the setting, and the default for a settings record that predates it or holds garbage', () => {
    expect(retentionDays({ retainFinishedDays: 30 })).toBe(30);
    expect(retentionDays({} as never)).toBe(DEFAULT_SETTINGS.retainFinishedDays);
    expect(retentionDays({ retainFinishedDays: 0 })).toBe(DEFAULT_SETTINGS.retainFinishedDays);
    expect(retentionDays({ retainFinishedDays: '7' } as never)).toBe(DEFAULT_SETTINGS.retainFinishedDays);
  });
});
