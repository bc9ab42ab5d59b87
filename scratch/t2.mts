import { readFileSync, writeFileSync } from 'node:fs';
import { buildAs2Message } from '/work/wt/as2/src/adapters/as2/index.ts';
const E='/work/wt/as2/examples/certs/';
const m = await buildAs2Message({ as2From:'A', as2To:'B', contentType:'application/edifact', body: new TextEncoder().encode("UNB\r\nUNZ\r\n"), sign: { certificate: readFileSync(E+'pem/acme-sign-1.pem','utf8'), key: readFileSync(E+'keys/acme-sign-1.key','utf8') }, encrypt: null });
writeFileSync('/tmp/as2s/signed.eml', Buffer.concat([Buffer.from(`Content-Type: ${m.headers['Content-Type']}\r\n\r\n`), m.body]));
