/**
 * The demo (`npm run demo`): the two-partner exchange of `two-partner-exchange.ts`, in process
 * with memory ports and a manual clock, printed as a timeline: every message sent with its CEM
 * XML, every status change, every alert, the simulated days passing, and at the end which
 * certificates each side used after each step.
 *
 * @module
 */
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
export async function main(options: { readonly log?: (line: string) => void } = {}): Promise<DemoSummary> {
  const lines: string[] = [];
  const print = (line: string): void => {
    lines.push(line);
    options.log?.(line);
  };
  for (const line of INTRO) print(line);
  const summary = await exchange({ log: print });
  print('');
  print('=== Who uses which certificate after each step ===');
  for (const step of summary.steps) {
    print(`${step.step}:`);
    print(`  Acme   ${uses(step.acme)}`);
    print(`  Globex ${uses(step.globex)}`);
  }
  print('');
  print(`${summary.deliveries} AS2 messages delivered, ${summary.undeliverable} that the receiver could not decrypt or verify.`);
  print(`Final: Acme ${summary.final.acme.relationship}, Globex ${summary.final.globex.relationship}.`);
  return Object.freeze({ exchange: summary, lines: Object.freeze(lines) });
}

if (isMain(import.meta.url)) await main({ log: console.log });
