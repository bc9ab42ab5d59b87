import { describe, expect, it } from 'vitest';
import {
  createManualClock,
  createMemoryAuditSink,
  createMemoryNotifier,
  createMemoryPorts,
  createMemoryStore,
  createMemoryTransport,
  createSequentialIds,
} from '../../src/testing/index.js';
import type { OutboundCemRequest } from '../../src/ports/transport.js';
import { systemClock } from '../../src/ports/clock.js';

const START = new Date('2025-03-01T10:00:00Z');

function request(id: string): OutboundCemRequest {
  return { kind: 'request', partnerId: 'acme', as2From: 'ME', as2To: 'ACME', requestId: id, contentType: 'multipart/related', body: Uint8Array.from([1, 2, 3]) };
}

describe('createManualClock', () => {
  it('reads the start until moved, then advances by every unit', () => {
    const clock = createManualClock(START);
    expect(clock.now().getTime()).toBe(START.getTime());
    const moved = clock.advance({ days: 1, hours: 2, minutes: 3, seconds: 4, ms: 5 });
    const expected = START.getTime() + 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4_000 + 5;
    expect(moved.getTime()).toBe(expected);
    expect(clock.now().getTime()).toBe(expected);
  });

  it('jumps with set, and refuses invalid dates and steps with CEM_ARGUMENT', () => {
    const clock = createManualClock(START);
    clock.set(new Date('2030-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(() => clock.set(new Date('nope'))).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => clock.advance({ days: Number.NaN })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => createManualClock(new Date(Number.NaN))).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });

  it('is not moved by mutating the start date or a reading', () => {
    const start = new Date(START);
    const clock = createManualClock(start);
    start.setTime(0);
    clock.now().setTime(0);
    expect(clock.now().getTime()).toBe(START.getTime());
  });
});

describe('timers', () => {
  it('fires manual-clock timers when the clock is moved to their time, in due order, each reading its due time', () => {
    const clock = createManualClock(START);
    const fired: string[] = [];
    clock.setTimer(120_000, () => fired.push(`b@${clock.now().toISOString()}`));
    clock.setTimer(60_000, () => fired.push(`a@${clock.now().toISOString()}`));
    const cancel = clock.setTimer(90_000, () => fired.push('cancelled'));
    clock.setTimer(600_000, () => fired.push('later'));
    cancel();
    expect(clock.pendingTimers()).toBe(3);
    clock.advance({ seconds: 59 });
    expect(fired).toEqual([]);
    expect(clock.advance({ minutes: 4 }).toISOString()).toBe('2025-03-01T10:04:59.000Z');
    expect(fired).toEqual(['a@2025-03-01T10:01:00.000Z', 'b@2025-03-01T10:02:00.000Z']);
    expect(clock.pendingTimers()).toBe(1);
    clock.set(new Date('2025-03-01T09:00:00Z'));
    expect(fired).toHaveLength(2);
    clock.set(new Date('2025-03-02T00:00:00Z'));
    expect(fired.at(-1)).toBe('later');
    expect(clock.pendingTimers()).toBe(0);
    expect(() => clock.setTimer(Number.NaN, () => undefined)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });

  it('fires a systemClock timer after its delay, never a cancelled one', async () => {
    const fired: string[] = [];
    const cancel = systemClock.setTimer!(5, () => fired.push('cancelled'));
    cancel();
    await new Promise<void>((resolve) => systemClock.setTimer!(10, () => { fired.push('fired'); resolve(); }));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toEqual(['fired']);
  });
});

describe('createSequentialIds', () => {
  it('gives the same ids on every run, with separate counters', () => {
    const a = createSequentialIds({ prefix: 'node-a', domain: 'as2.example.test' });
    const b = createSequentialIds({ prefix: 'node-a', domain: 'as2.example.test' });
    const seqA = [a.requestId(), a.contentId(), a.requestId()];
    expect([b.requestId(), b.contentId(), b.requestId()]).toEqual(seqA);
    expect(seqA[0]).not.toBe(seqA[2]);
    expect(seqA[1]).toMatch(/@as2\.example\.test$/);
  });

  it('refuses a prefix that cannot form a Content-ID with CEM_ARGUMENT', () => {
    expect(() => createSequentialIds({ prefix: 'has space' })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => createSequentialIds({ domain: 'bad..domain' })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});

describe('createMemoryTransport', () => {
  it('records copies of what was sent, in order', async () => {
    const transport = createMemoryTransport();
    const message = request('r1');
    await transport.sendRequest(message);
    message.body[0] = 99;
    await transport.sendResponse({ ...request('r0'), kind: 'response', responseUrl: null });
    await transport.sendEmail({ to: ['a@x.test'], subject: 's', text: 't', attachments: [] });
    expect(transport.requests[0]?.body).toEqual(Uint8Array.from([1, 2, 3]));
    expect(transport.sent.map((e) => e.kind)).toEqual(['request', 'response', 'email']);
    expect(transport.responses).toHaveLength(1);
    expect(transport.emails).toHaveLength(1);
  });

  it('fails the next n sends with the given error, then recovers', async () => {
    const transport = createMemoryTransport();
    const boom = new Error('partner down');
    transport.failNext(2, boom);
    await expect(transport.sendRequest(request('r1'))).rejects.toBe(boom);
    await expect(transport.sendEmail({ to: 'a@x.test', subject: 's', text: 't', attachments: [] })).rejects.toBe(boom);
    await transport.sendRequest(request('r2'));
    expect(transport.requests.map((r) => r.requestId)).toEqual(['r2']);
    expect(transport.failures.map((f) => f.entry.kind)).toEqual(['request', 'email']);
  });

  it('fails sends matching failWhen until cleared, and forgets everything on reset', async () => {
    const transport = createMemoryTransport();
    transport.failWhen((e) => e.kind === 'request' && e.message.requestId === 'bad');
    await expect(transport.sendRequest(request('bad'))).rejects.toThrow(/refused/);
    await transport.sendRequest(request('good'));
    transport.failWhen(() => new Error('custom'));
    await expect(transport.sendRequest(request('good'))).rejects.toThrow('custom');
    transport.failWhen(null);
    await transport.sendRequest(request('bad'));
    expect(transport.requests.map((r) => r.requestId)).toEqual(['good', 'bad']);
    transport.reset();
    expect([transport.sent.length, transport.failures.length]).toEqual([0, 0]);
  });
});

describe('createMemoryNotifier and createMemoryAuditSink', () => {
  it('record notices by kind and fail on demand', async () => {
    const notifier = createMemoryNotifier();
    const notice = { kind: 'overdue', dedupeKey: 'overdue/acme', severity: 'warning' as const, message: 'late', details: { n: 1 } };
    notifier.failNext(1);
    await expect(notifier.notify(notice)).rejects.toThrow();
    await notifier.notify(notice);
    await notifier.notify({ ...notice, kind: 'other' });
    expect(notifier.ofKind('overdue')).toHaveLength(1);
    expect(notifier.notices).toHaveLength(2);
    await expect(notifier.notify({ ...notice, details: { at: new Date() as never } })).rejects.toMatchObject({ code: 'CEM_ARGUMENT' });
  });

  it('keeps audit events as copies', async () => {
    const audit = createMemoryAuditSink();
    const at = new Date(START);
    const data = { list: [1] };
    await audit.record({ at, type: 'requestSent', data });
    at.setTime(0);
    data.list.push(2);
    expect(audit.ofType('requestSent')[0]).toEqual({ at: START, type: 'requestSent', data: { list: [1] } });
  });
});

describe('createMemoryStore', () => {
  it('starts from initial records with their versions and shows them in snapshot', async () => {
    const store = createMemoryStore([{ key: 'b', version: 7, value: 'x' }, { key: 'a', version: 1, value: [] }]);
    expect(Object.keys(store.snapshot())).toEqual(['a', 'b']);
    await store.commit([{ key: 'b', expectedVersion: 7, value: 'y' }]);
    expect(store.snapshot().b).toEqual({ key: 'b', version: 8, value: 'y' });
    expect(store.commitCount()).toBe(1);
    expect(() => createMemoryStore([{ key: 'n', version: 1, value: null }])).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });

  it('lets two port sets share one store, as two cluster nodes would', async () => {
    const nodeA = createMemoryPorts({ start: START, ids: { prefix: 'a' } });
    const nodeB = createMemoryPorts({ start: START, ids: { prefix: 'b' }, store: nodeA.store });
    await nodeA.store.commit([{ key: 'lease', expectedVersion: null, value: 'a' }]);
    await expect(nodeB.store.commit([{ key: 'lease', expectedVersion: null, value: 'b' }])).rejects.toMatchObject({ code: 'CEM_STORE_CONFLICT' });
    expect(nodeA.ids.requestId()).not.toBe(nodeB.ids.requestId());
  });
});
