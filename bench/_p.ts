import { certificateFactory, cpuNow } from './engine.js';
const dist = (entry: string): Promise<unknown> => import(new URL(`../dist/${entry}.js`, import.meta.url).href);
const cem = (await dist('index')) as typeof import('../src/index.js');
const testing = (await dist('testing')) as typeof import('../src/testing/index.js');
const cert = certificateFactory();
const n = Number(process.env.N ?? 1000);
const clock = testing.createManualClock(new Date('2027-01-04T09:00:00Z'));
const engine = cem.createCemEngine({ clock, store: testing.createMemoryStore(), ids: testing.createSequentialIds({ prefix: 'hub', domain: 'hub.test' }), transport: testing.createMemoryTransport(), notifier: testing.createMemoryNotifier() }, { engineId: 'b' });
const local = { certificate: cert(0), keyRef: 'hsm:hub' };
for (let i = 0; i < n; i++) await engine.addRelationship({ id: `p${i}`, localName: 'HUB', partnerName: `P${i}`, protocol: 'AS2', responseUrl: 'https://hub.test/as2', local: { signing: local, encryption: local }, partner: { signing: cert(1000 + i * 3), encryption: cert(1000 + i * 3 + 1) } });
const fps = Array.from({ length: n }, (_, i) => cem.readCertificate(cert(1000 + i * 3)).sha256);
const pick = (i: number) => (i * 7919 + 13) % n;
const spread = Number(process.env.SPREAD ?? n);
const msgs = Array.from({ length: 20000 }, (_, i) => ({ body: { contentType: 'application/edi-x12', body: new Uint8Array([1]) }, headers: { 'AS2-From': `P${pick(i) % spread}`, 'AS2-To': 'HUB', 'Message-ID': `<m${i}@p>`, 'EDIINT-Features': 'multiple-attachments' }, verifiedBy: fps[pick(i) % spread] ?? null }));
const { PerformanceObserver } = await import('node:perf_hooks');
let gcMs = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });
for (let r = 0; r < Number(process.env.R ?? 5); r++) {
  gcMs = 0;
  const t = cpuNow();
  for (let i = 0; i < 100000; i++) await engine.receive(msgs[i % 20000]!);
  await new Promise((res) => setTimeout(res, 10));
  console.log('receive', ((cpuNow() - t) / 100000).toFixed(2), 'µs; gc ms per call', (gcMs * 1000 / 100000).toFixed(2), 'µs');
}
