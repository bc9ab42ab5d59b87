import { readFileSync, readdirSync } from 'node:fs';
import { parseDistinguishedName } from './src/crypto/dn.js';
for (let i = 0; i < 200; i++) parseDistinguishedName('CN=a,O=b,C=US');
for (const f of readdirSync('/tmp/fuzz-run').filter((f) => f.endsWith('.bin'))) {
  const s = readFileSync(`/tmp/fuzz-run/${f}`).toString('utf8');
  const times: number[] = [];
  for (let r = 0; r < 5; r++) { const t = performance.now(); try { parseDistinguishedName(s); } catch {} times.push(performance.now() - t); }
  console.log(f, s.length, times.map((t) => t.toFixed(1)).join(' '), JSON.stringify(s.slice(0, 80)));
}
