/**
 * Time of the costliest inputs the parsers accept within their default limits (issue 9, point 2).
 * Not wired into bench/run.ts: call `benchHostile()` from there, or run this file with tsx.
 *
 * The inputs come from test/fixtures/hostile-entity.ts: a CEM entity with the most certificates
 * parseCemEntity accepts (64, in two parts of 32, most of them copies of a self-signed 4096-bit
 * RSA CA certificate, each parsed and verified again), and the most certificates one call of
 * readCertificates and decodeCertsOnly accepts (500).
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readCertificates } from '../src/crypto/certificate.js';
import { decodeCertsOnly, encodeCertsOnly } from '../src/crypto/certs-only.js';
import { parseCemEntity } from '../src/messages/entity/parse.js';
import { concatenatedCertificates, hostileEntity } from '../test/fixtures/hostile-entity.js';
import { makeCert } from '../test/helpers/pki.js';

/** One measured case: the median of `runs` runs, in milliseconds. */
export interface HostileResult {
  readonly name: string;
  readonly ms: number;
}

function median(fn: () => unknown, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** Measures the worst accepted inputs; `bits` is the RSA size of the repeated self-signed certificate. */
export function benchHostile(options: { runs?: number; bits?: number } = {}): HostileResult[] {
  const runs = options.runs ?? 5;
  const entity = hostileEntity({ bits: options.bits ?? 4096 });
  const selfSigned = makeCert({ subject: '/O=Hostile/CN=Bench self-signed', ca: true, bits: options.bits ?? 4096 });
  const concatenated = concatenatedCertificates(selfSigned.der, 500);
  const p7c = encodeCertsOnly(Array.from({ length: 500 }, () => selfSigned.der));
  return [
    { name: `parseCemEntity, worst accepted entity (${entity.certificates} certificates, ${entity.bytes.byteLength} bytes)`, ms: median(() => parseCemEntity(entity.bytes), runs) },
    { name: 'readCertificates, 500 self-signed certificates (the default maximum)', ms: median(() => readCertificates(concatenated), runs) },
    { name: 'decodeCertsOnly, 500 certificates (the default maximum)', ms: median(() => decodeCertsOnly(p7c), runs) },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { name, ms } of benchHostile()) console.log(`${ms.toFixed(1).padStart(8)} ms  ${name}`);
}
