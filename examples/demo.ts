/**
 * The demo (`npm run demo`): the two-partner exchange of `two-partner-exchange.ts` over real AS2:
 * two engines on file stores in a temporary directory, two HTTP servers on 127.0.0.1, every CEM
 * message and payload signed, encrypted and answered by a signed MDN through
 * `ediint-cem/adapters/as2`, with a manual clock for the days. It prints a timeline: every
 * message sent with its CEM XML, every status change, every alert, the simulated days passing,
 * and at the end which certificates each side used after each step.
 *
 * `CEM_DEMO_CAPTURE=DIR npm run demo` also writes every AS2 message and MDN sent (HTTP headers
 * and body, `NNN-<from>-to-<to>-<kind>.as2` / `.mdn`), a `manifest.json` naming the certificates
 * of each, and the demo's certificates and keys (`certs/`) to DIR, for checking with openssl.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain } from './support/parties.js';
import type { ResolvedNames } from './support/summaries.js';
import { main as exchange, type TwoPartnerSummary } from './two-partner-exchange.js';

/** What the demo printed. */
export interface DemoSummary {
  readonly exchange: TwoPartnerSummary;
  /** Every line printed. */
  readonly lines: readonly string[];
}

const INTRO = [
  'ediint-cem demo: two AS2 products, Acme and Globex, roll over their certificates by CEM',
  '(EDIINT Certificate Exchange Messaging, draft-meadors-certificate-exchange-14).',
  '',
  'Each party embeds the engine on a file store and runs an AS2 server on 127.0.0.1: every',
  'message is signed and encrypted with the certificates the engine resolves, posted over HTTP,',
  'decrypted and verified by the receiver, and answered by a signed MDN (ediint-cem/adapters/as2).',
  'A manual clock makes the days pass. Acme decides requests by hand; Globex auto-accepts and asks',
  'for answers within 3 days. Certificates are named <party>-<sign|enc>-<1 old|2 new>.',
];

const SIMULATED_INTRO = [
  'ediint-cem demo: two AS2 products, Acme and Globex, roll over their certificates by CEM',
  '(EDIINT Certificate Exchange Messaging, draft-meadors-certificate-exchange-14).',
  '',
  'Everything runs in this process: each party embeds the engine on memory ports, a simulated',
  'AS2 layer signs and encrypts with the certificates the engine resolves, and a manual clock',
  'makes the days pass. Acme decides requests by hand; Globex auto-accepts and asks for answers',
  'within 3 days. Certificates are named <party>-<sign|enc>-<1 old|2 new>.',
];

function uses(r: ResolvedNames): string {
  return `signs ${r.sign ?? '-'}, encrypts to ${r.encrypt ?? '-'}, decrypts ${r.decrypt.join('+')}, verifies ${r.verify.join('+')}`;
}

/**
 * Runs the demo, printing through `log` (`console.log` when run as a script).
 *
 * @example
 * ```ts
 * const { lines } = await main({ log: () => undefined })
 * ```
 * @throws Error when a step of the exchange is refused.
 */
export async function main(options: {
  readonly log?: (line: string) => void;
  /** Simulate the AS2 layer in memory instead of real AS2 over HTTP. */
  readonly simulated?: boolean;
  /** Write every AS2 message and MDN sent, and the certificates and keys, to this directory. */
  readonly capture?: string;
} = {}): Promise<DemoSummary> {
  const lines: string[] = [];
  const print = (line: string): void => {
    lines.push(line);
    options.log?.(line);
  };
  for (const line of options.simulated === true ? SIMULATED_INTRO : INTRO) print(line);
  const directory = options.simulated === true ? null : mkdtempSync(join(tmpdir(), 'cem-demo-'));
  let summary;
  try {
    summary = await exchange({
      log: print,
      ...(directory === null ? {} : { as2: { directory, ...(options.capture === undefined ? {} : { capture: options.capture }) } }),
    });
  } finally {
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
  }
  print('');
  print('=== Who uses which certificate after each step ===');
  for (const step of summary.steps) {
    print(`${step.step}:`);
    print(`  Acme   ${uses(step.acme)}`);
    print(`  Globex ${uses(step.globex)}`);
  }
  print('');
  print(`${summary.deliveries} AS2 messages delivered, ${summary.undeliverable} that the receiver could not decrypt or verify.`);
  if (options.capture !== undefined) print(`Every AS2 message and MDN sent, and the certificates and keys, are in ${options.capture}.`);
  print(`Final: Acme ${summary.final.acme.relationship}, Globex ${summary.final.globex.relationship}.`);
  return Object.freeze({ exchange: summary, lines: Object.freeze(lines) });
}

if (isMain(import.meta.url)) {
  const capture = process.env.CEM_DEMO_CAPTURE;
  await main({ log: console.log, ...(capture === undefined || capture === '' ? {} : { capture }) });
}
