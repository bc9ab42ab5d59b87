/**
 * Micro-benchmarks of the pure layers (wire formats, crypto, lifecycle), with absolute targets:
 * medians over many runs. `bench/run.ts` runs them before the engine benchmarks.
 *
 * Certificates are made with openssl (test/helpers/pki.ts), so openssl must be installed.
 */
import { performance } from 'node:perf_hooks';
import { readCertificate } from '../src/crypto/certificate.js';
import { distinguishedNamesEqual } from '../src/crypto/dn.js';
import { cemDateTime } from '../src/messages/datetime.js';
import { buildCemRequest } from '../src/messages/entity/build-request-items.js';
import { parseCemEntity } from '../src/messages/entity/parse.js';
import { serializeCemEntity } from '../src/messages/entity/serialize.js';
import { parseCemRequest } from '../src/messages/request-xml.js';
import { resolveCertificates } from '../src/policy/resolution.js';
import type { CemState } from '../src/state/model.js';
import { createInitialState, transition } from '../src/state/transition.js';
import { makePki } from '../test/helpers/pki.js';

interface Row {
  readonly name: string;
  readonly targetUs: number;
  readonly medianUs: number;
  readonly p95Us: number;
  readonly runs: number;
}

function measure(name: string, targetUs: number, fn: () => unknown, minRuns = 50, minMs = 400): Row {
  for (let i = 0; i < Math.min(20, minRuns); i += 1) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t = performance.now();
    fn();
    samples.push((performance.now() - t) * 1000);
    if (samples.length > 200_000) break;
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { name, targetUs, medianUs: at(0.5), p95Us: at(0.95), runs: samples.length };
}

const pki = makePki('Bench');
const signing = pki.leaf({ keyUsage: 'digitalSignature' });
const encryption = pki.leaf({ keyUsage: 'keyEncipherment' });
const chainOf = (c: typeof signing) => pki.chainOf(c).map((x) => x.der);
const now = new Date('2026-12-01T09:00:00Z');

const built = buildCemRequest({
  sender: 'Acme',
  requestId: 'bench-1',
  originated: cemDateTime(now, { offsetMinutes: -300 }),
  xmlContentId: 'xml@bench',
  items: [
    { usages: ['digitalSignature'], responseUrl: 'https://as2.acme.test/cem', certificates: chainOf(signing), contentId: 'sign@bench' },
    { usages: ['keyEncipherment'], responseUrl: 'https://as2.acme.test/cem', certificates: chainOf(encryption), contentId: 'enc@bench' },
  ],
});
const entityBytes = serializeCemEntity(built.entity);
const xml = built.entity.xml;

/** A state with `count` established relationships sharing the same certificates. */
function bigState(count: number): CemState {
  const s = readCertificate(signing.der);
  const e = readCertificate(encryption.der);
  let state = createInitialState();
  for (let i = 0; i < count; i += 1) {
    state = transition(
      state,
      {
        type: 'relationshipAdded',
        relationship: {
          id: `partner-${i}`,
          localName: 'Acme',
          partnerName: `Partner${i}`,
          protocol: 'AS2',
          local: { signing: { certificate: s, keyRef: 'k1' }, encryption: { certificate: e, keyRef: 'k2' } },
          partner: { signing: s, encryption: e },
        },
      },
      now,
    ).state;
  }
  return state;
}

/** Runs the micro-benchmarks and prints them; returns how many missed their target. */
export function runPure(): number {
  const RELATIONSHIPS = 2000;
  const state = bigState(RELATIONSHIPS);
  let i = 0;

  const rows: Row[] = [
    measure('readCertificate (DER, CA-issued)', 250, () => readCertificate(signing.der)),
    measure('distinguishedNamesEqual (reordered, E=/S= forms)', 60, () =>
      distinguishedNamesEqual('CN=Cleo-SP,E=a@b.test,O=DGI,OU=DGI,L=Ft. Worth,S=Texas,C=US', 'C=US,ST=Texas,L=Ft. Worth,OU=DGI,O=DGI,emailAddress=a@b.test,CN=Cleo-SP'),
    ),
    measure('parseCemRequest (2 TrustRequests)', 300, () => parseCemRequest(xml)),
    measure('buildCemRequest + serialize (2 certs with chains)', 4000, () =>
      serializeCemEntity(
        buildCemRequest({
          sender: 'Acme',
          requestId: 'bench-2',
          originated: cemDateTime(now),
          xmlContentId: 'xml@bench',
          items: [{ usages: ['digitalSignature'], responseUrl: 'https://x.test/', certificates: chainOf(signing), contentId: 's@bench' }],
        }).entity,
      ),
    ),
    measure('parseCemEntity (request, 2 certs with chains, full cross-checks)', 4000, () => parseCemEntity(entityBytes)),
    measure(`resolveCertificates (hot path, ${RELATIONSHIPS} relationships in state)`, 25, () => {
      i = (i + 1) % RELATIONSHIPS;
      return resolveCertificates(state, `partner-${i}`, now);
    }),
    // Every inbound AS2 message reports its EDIINT-Features; almost always nothing changes.
    measure(`transition featuresObserved, unchanged (per message; ${RELATIONSHIPS} relationships)`, 20, () => {
      i = (i + 1) % RELATIONSHIPS;
      return transition(state, { type: 'featuresObserved', relationshipId: `partner-${i}`, features: [] }, now);
    }),
    // A transition that changes one relationship copies the relationship index (a plain JSON record,
    // so the store can persist it): linear in the number of relationships, about 0.2 µs each.
    measure(`transition featuresObserved, CEM newly seen (${RELATIONSHIPS} relationships)`, 1000, () => {
      i = (i + 1) % RELATIONSHIPS;
      return transition(state, { type: 'featuresObserved', relationshipId: `partner-${i}`, features: ['CEM'] }, now);
    }),
    measure(`transition tick (${RELATIONSHIPS} relationships, nothing due)`, 60_000, () => transition(state, { type: 'tick' }, now), 10, 1000),
  ];

  const pad = (s: string, n: number) => s.padEnd(n);
  const fmt = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
  let failed = 0;
  console.log(`${pad('benchmark', 72)} ${pad('median', 10)} ${pad('p95', 10)} ${pad('target', 10)} result`);
  for (const r of rows) {
    const ok = r.medianUs <= r.targetUs;
    if (!ok) failed += 1;
    console.log(`${pad(r.name, 72)} ${pad(fmt(r.medianUs), 10)} ${pad(fmt(r.p95Us), 10)} ${pad(fmt(r.targetUs), 10)} ${ok ? 'ok' : 'MISSED'} (${r.runs} runs)`);
  }
  return failed;
}
