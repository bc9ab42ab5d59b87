import { readFileSync } from 'node:fs';
import { AS2Parser } from 'libas2';
import { buildAs2Message } from '/work/wt/as2/src/adapters/as2/index.ts';
const E = '/work/wt/as2/examples/certs/';
const pem = (n: string) => readFileSync(E + 'pem/' + n + '.pem', 'utf8');
const key = (n: string) => readFileSync(E + 'keys/' + n + '.key', 'utf8');
for (const kt of ['rsa-oaep', 'rsa'] as const) for (const te of ['binary', 'base64'] as const) for (const sign of [false, true]) {
  const m = await buildAs2Message({ as2From: 'ACME', as2To: 'GLOBEX', contentType: 'application/edi-x12', body: new TextEncoder().encode('ISA*00*~'), sign: sign ? { certificate: pem('acme-sign-1'), key: key('acme-sign-1') } : null, encrypt: { certificate: pem('globex-enc-1'), keyTransport: kt }, transferEncoding: te });
  const lower = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k.toLowerCase(), v]));
  try {
    const n2 = await AS2Parser.parse({ headers: lower as any, content: Buffer.from(m.body) });
    const d = await n2.decrypt({ cert: pem('globex-enc-1'), key: key('globex-enc-1') });
    let v = '';
    if (sign) { try { v = String(!!(await d.verify({ cert: pem('acme-sign-1') }))); } catch (e) { v = 'verify err ' + e; } }
    console.log(kt, te, sign, 'decrypted', d.contentType, v);
  } catch (e) { console.log(kt, te, sign, 'ERR', String(e).slice(0, 200)); }
}
