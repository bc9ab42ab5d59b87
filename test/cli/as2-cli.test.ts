/**
 * `cem as2 serve` and `cem as2 send`: a `cem request` file round-trips over real HTTP on
 * 127.0.0.1, signed, encrypted and answered by a signed MDN that send verifies (and openssl too).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { processIo } from '../../src/cli/io.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import { makePki, openssl, tempDir } from '../helpers/pki.js';

const pki = makePki('As2Cli');
const alice = pki.leaf({ subject: '/O=Alice/CN=alice-as2' });
const bob = pki.leaf({ subject: '/O=Bob/CN=bob-as2' });
const mallory = pki.leaf({ subject: '/O=Mallory/CN=mallory' });
const dir = tempDir('cem-as2-cli-');
const out = join(dir, 'received');

function io(): { io: CliIo; out: string[]; err: string[] } {
  const o: string[] = [];
  const e: string[] = [];
  return { out: o, err: e, io: { ...processIo, stdout: (t) => o.push(t), stderr: (t) => e.push(t) } };
}

describe('cem as2 serve + cem as2 send', () => {
  const server = io();
  let stop: () => void = () => undefined;
  let serving: Promise<number>;
  let url = '';
  const requestFile = join(dir, 'request.mime');
  beforeAll(async () => {
    const bundle = join(dir, 'alice-chain.pem');
    writeFileSync(bundle, pki.chainOf(alice).map((c) => c.pem).join(''));
    expect(runCli(['request', '--from', 'ALICE', '--response-url', 'https://as2.alice.test/as2', '--cert', `${bundle}=digitalSignature,keyEncipherment`, '--out', requestFile], io().io)).toBe(0);
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    serving = runCliAsync(['as2', 'serve', '--port', '0', '--as2-id', 'BOB', '--cert', `${bob.certPath},${bob.keyPath}`, '--partner', `ALICE=${alice.certPath}`, '--out', out], server.io, { stopped });
    for (let i = 0; i < 100 && url === ''; i++) {
      await new Promise((r) => setTimeout(r, 20));
      url = /listening on (http:\/\/\S+)/.exec(server.out.join(''))?.[1] ?? '';
    }
    expect(url).not.toBe('');
  });
  afterAll(async () => {
    stop();
    expect(await serving).toBe(0);
  });

  it('round-trips a cem request file with a verified processed MDN', async () => {
    const client = io();
    const mdnFile = join(dir, 'mdn.txt');
    const code = await runCliAsync(['as2', 'send', requestFile, '--url', url, '--from', 'ALICE', '--to', 'BOB', '--sign', `${alice.certPath},${alice.keyPath}`, '--encrypt', bob.certPath, '--mdn', 'sync', '--mdn-out', mdnFile], client.io);
    expect(client.err.join('')).toBe('');
    expect(code).toBe(0);
    expect(client.out.join('')).toMatch(/MDN processed, signed and verified, MIC \S+ \(sha-256\) matches/);
    // the server wrote the payload: the same CEM Request
    const [saved] = readdirSync(out);
    const received = parseCemEntity(readFileSync(join(out, saved ?? '')));
    const sent = parseCemEntity(readFileSync(requestFile));
    expect(received.xml).toBe(sent.xml);
    expect(server.out.join('')).toMatch(/ALICE -> BOB <[^>]+> processed -> /);
    // openssl verifies the MDN send kept
    const mdn = readFileSync(mdnFile);
    const end = mdn.indexOf('\r\n\r\n');
    const type = /content-type: ([^\r\n]+)/i.exec(mdn.subarray(0, end).toString('latin1'))?.[1] ?? '';
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, pki.root.pem + pki.intermediate.pem);
    const report = openssl(['cms', '-verify', '-purpose', 'any', '-CAfile', ca], Buffer.concat([Buffer.from(`Content-Type: ${type}\r\n\r\n`), mdn.subarray(end + 4)])).toString('latin1');
    expect(report).toMatch(/Disposition: automatic-action\/MDN-sent-automatically; processed/);
  });

  it('exits 1 with CEM_AS2_MDN when the partner cannot decrypt (encrypted to the wrong certificate)', async () => {
    const client = io();
    const code = await runCliAsync(['as2', 'send', requestFile, '--url', url, '--from', 'ALICE', '--to', 'BOB', '--sign', `${alice.certPath},${alice.keyPath}`, '--encrypt', mallory.certPath, '--verify-mdn', bob.certPath], client.io);
    expect(code).toBe(1);
    expect(client.err.join('')).toMatch(/^error CEM_AS2_MDN: .*processed\/error: decryption-failed/);
    expect(server.out.join('')).toMatch(/processed\/error: decryption-failed/);
  });

  it('exits 1 when the MDN is signed by someone else than the partner we trust', async () => {
    const client = io();
    const code = await runCliAsync(['as2', 'send', requestFile, '--url', url, '--from', 'ALICE', '--to', 'BOB', '--sign', `${alice.certPath},${alice.keyPath}`, '--encrypt', bob.certPath, '--verify-mdn', mallory.certPath], client.io);
    expect(code).toBe(1);
    expect(client.err.join('')).toMatch(/^error CEM_AS2_MDN: .*signature does not verify/);
  });

  it('the cem executable runs as2 send (usage errors exit 2)', async () => {
    // asynchronous: the server runs in this process
    const run = (args: string[]) => new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { encoding: 'utf8', cwd: join(import.meta.dirname, '../..') }, (_error, _stdout, stderr) => resolve({ status: child.exitCode, stderr }));
    });
    const ok = await run(['as2', 'send', requestFile, '--url', url, '--from', 'ALICE', '--to', 'BOB', '--sign', `${alice.certPath},${alice.keyPath}`, '--encrypt', bob.certPath]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect((await run(['as2', 'send', requestFile])).status).toBe(2);
  });
});
