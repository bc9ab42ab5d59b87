import { readFileSync } from 'node:fs';
import { AS2Parser, AS2Crypto } from 'libas2';
import { buildAs2Message } from '/work/wt/as2/src/adapters/as2/index.ts';
const E = '/work/wt/as2/examples/certs/';
const pem = (n: string) => readFileSync(E + 'pem/' + n + '.pem', 'utf8');
const key = (n: string) => readFileSync(E + 'keys/' + n + '.key', 'utf8');
const raw = readFileSync('/tmp/as2s/libmdn.eml');
const end = raw.indexOf('\r\n\r\n');
const node = await AS2Parser.parse({ headers: { 'content-type': raw.subarray(14, end).toString() }, content: raw.subarray(end + 4) });
try { const d = await node.dispositionIn({ cert: pem('globex-sign-1') }); console.log('libas2 verifies its own MDN:', d.notification.disposition); } catch (e) { console.log('libas2 own MDN verify error', e); }
try { console.log('verify', await AS2Crypto.verify(node, { cert: pem('globex-sign-1') })); } catch (e) { console.log('verify err', e); }
const m = await buildAs2Message({ as2From: 'ACME', as2To: 'GLOBEX', contentType: 'application/edi-x12', body: new TextEncoder().encode('ISA*00*~'), sign: null, encrypt: { certificate: pem('globex-enc-1'), keyTransport: 'rsa-oaep' }, transferEncoding: 'base64' });
const n2 = await AS2Parser.parse({ headers: { ...m.headers, 'Content-Disposition': 'attachment; filename="smime.p7m"' } as any, content: Buffer.from(m.body) });
console.log('n2', typeof n2.content, Buffer.isBuffer(n2.content), n2.content?.length, Buffer.from(n2.content as any).subarray(0, 8), m.body.length, Object.keys(m.headers));
try { const d = await n2.decrypt({ cert: pem('globex-enc-1'), key: key('globex-enc-1') }); console.log('decrypted', d.contentType, String(d.content)); } catch (e) { console.log('decrypt err', e); }
