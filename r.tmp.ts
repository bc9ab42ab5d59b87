import { readFileSync } from 'node:fs';
import { parseMediaType } from './src/messages/mime/media-type.js';
import { parseEdiintFeatures, advertisesCem } from './src/messages/features.js';
import { parseDistinguishedName } from './src/crypto/dn.js';
const l = (f: string) => readFileSync(f).toString('latin1');
const u = (f: string) => readFileSync(f).toString('utf8');
const cases: [string, () => unknown][] = [
  ['mt', () => parseMediaType(l('/tmp/fz/parseMediaType-seed1-case299.bin'))],
  ['feat', () => { const s = l('/tmp/fz/parseEdiintFeatures-seed1-case1633.bin'); parseEdiintFeatures(s); advertisesCem({ 'EDIINT-Features': s }); }],
  ['dn', () => parseDistinguishedName(u('/tmp/fz/parseDistinguishedName-seed1-case1735.bin'))],
  ['dn2', () => parseDistinguishedName(u('/tmp/fz/issuerMatches-seed1-case1736.bin'))],
];
for (const [n, f] of cases) { for (let r = 0; r < 3; r++) { const t = performance.now(); try { f(); } catch {} console.log(n, (performance.now() - t).toFixed(1)); } }
for (const f of ['parseMediaType-seed1-case299', 'parseEdiintFeatures-seed1-case1633', 'parseDistinguishedName-seed1-case1735', 'issuerMatches-seed1-case1736']) console.log(f, readFileSync(`/tmp/fz/${f}.bin`).length);
