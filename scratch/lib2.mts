import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { AS2Parser } from 'libas2';
import { buildAs2Message, sendAs2Message } from '/work/wt/as2/src/adapters/as2/index.ts';
const E = '/work/wt/as2/examples/certs/';
const pem = (n: string) => readFileSync(E + 'pem/' + n + '.pem', 'utf8');
const key = (n: string) => readFileSync(E + 'keys/' + n + '.key', 'utf8');
const der = (n: string) => new Uint8Array(Buffer.from(pem(n).replace(/-----[^-]+-----|\s/g, ''), 'base64'));
const got: unknown[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const node = await AS2Parser.parse({ headers: req.headers as any, content: Buffer.concat(chunks) });
      const { contentNode, dispositionNode, disposition } = await node.dispositionOut({
        agreement: {
          host: { name: 'GLOBEX', id: 'GLOBEX', url: 'http://x', certificate: pem('globex-enc-1'), privateKey: key('globex-enc-1'), decrypt: true, sign: 'sha-256', mdn: { signing: 'sha-256' } },
          partner: { name: 'ACME', id: 'ACME', url: 'http://x', certificate: pem('acme-sign-1'), encrypt: false, verify: true, mdn: { signing: 'sha-256' } },
        },
        returnNode: false,
      });
      got.push({ n: disposition.notification, content: contentNode?.content?.toString() });
      const { headers, body } = await dispositionNode.buildObject();
      res.writeHead(200, headers).end(body);
    } catch (e) { console.log('ERR', e); res.writeHead(500).end(String(e)); }
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as any).port}/as2`;
for (const kt of ['rsa-oaep', 'rsa'] as const) {
  const m = await buildAs2Message({ as2From: 'ACME', as2To: 'GLOBEX', contentType: 'application/edi-x12', body: new TextEncoder().encode('ISA*00*~'), sign: { certificate: pem('acme-sign-1'), key: key('acme-sign-1') }, encrypt: { certificate: pem('globex-enc-1'), keyTransport: kt }, transferEncoding: 'base64' });
  if (kt === 'rsa-oaep') { const rr = await fetch(url, { method: 'POST', headers: m.headers, body: m.body }); const b = Buffer.from(await rr.arrayBuffer()); (await import('node:fs')).writeFileSync('/tmp/as2s/libmdn.eml', Buffer.concat([Buffer.from('Content-Type: ' + rr.headers.get('content-type') + '\r\n\r\n'), b])); }
  const r = await sendAs2Message(url, m, { verifyMdn: [der('globex-enc-1')] });
  console.log(kt, r.status, r.problem, r.mdn?.disposition, r.mdn?.mic, m.mic);
  console.log(JSON.stringify(got.at(-1)));
}
server.close();
