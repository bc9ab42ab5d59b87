import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { AS2Composer, AS2Parser } from 'libas2';
import { createAs2Handler, postAs2, readMdn } from '/work/wt/as2/src/adapters/as2/index.ts';
const E = '/work/wt/as2/examples/certs/';
const pem = (n: string) => readFileSync(E + 'pem/' + n + '.pem', 'utf8');
const key = (n: string) => readFileSync(E + 'keys/' + n + '.key', 'utf8');
const reports: unknown[] = [];
const server = createServer(createAs2Handler({
  trust: async () => ({ decrypt: [{ certificate: new Uint8Array(Buffer.from(pem('globex-enc-1').replace(/-----[^-]+-----|\s/g, ''), 'base64')), key: createPrivateKey(key('globex-enc-1')) }], verify: [new Uint8Array(Buffer.from(pem('acme-sign-1').replace(/-----[^-]+-----|\s/g, ''), 'base64'))], signMdn: { certificate: pem('globex-sign-1'), key: key('globex-sign-1') } }),
  process: async () => undefined,
  onReport: (r) => reports.push({ d: r.disposition, detail: r.detail, ct: r.read?.contentType }),
}));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as any).port}/as2`;
const composer = new AS2Composer({
  message: { filename: 'edi.txt', contentType: 'application/edi-x12', content: 'ISA*00*~' },
  agreement: {
    host: { name: 'ACME', id: 'ACME', url, certificate: pem('acme-sign-1'), privateKey: key('acme-sign-1'), decrypt: false, sign: 'sha-256', mdn: { signing: 'sha-256' } },
    partner: { name: 'GLOBEX', id: 'GLOBEX', url, certificate: pem('globex-enc-1'), encrypt: 'aes256-CBC', verify: true },
  },
});
console.log("composing");
const opts = await composer.toRequestOptions();
console.log("composed");
console.log(opts.headers);
const res = await postAs2(url, opts.headers as Record<string, string>, Buffer.from(opts.body as any));
console.log(res.status, reports);
const mdn = await readMdn(res.headers, res.body, { verify: [new Uint8Array(Buffer.from(pem('globex-sign-1').replace(/-----[^-]+-----|\s/g, ''), 'base64'))] });
console.log(mdn.ok ? { d: mdn.disposition.raw, mic: mdn.mic } : mdn);
// libas2 reads our MDN
const node = await AS2Parser.parse({ headers: res.headers as any, content: Buffer.from(res.body) });
const disp = await node.dispositionIn({ cert: pem('globex-sign-1') });
console.log('libas2 MDN', disp.notification);
server.close();
