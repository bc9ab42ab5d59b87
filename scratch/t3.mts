import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '/work/wt/as2/examples/two-partner-exchange.ts';
const dir = mkdtempSync(join(tmpdir(), 'cem-demo-'));
const s = await main({ log: (l) => console.log(l), xml: false, as2: { directory: dir, capture: join(dir, 'capture') } });
console.log(JSON.stringify({ d: s.deliveries, u: s.undeliverable, final: s.final }, null, 1), dir);
