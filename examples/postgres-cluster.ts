/**
 * Two AS2 nodes of one product ("Acme") on one PostgreSQL database, rolling a certificate over
 * with a partner (Globex, another engine on its own memory ports).
 *
 * 1. The database: `createPostgresStore({ pool })` and `migrate()` (once per start; idempotent).
 *    Both nodes run their own engine (`engineId` per node) on the same store; the relationship,
 *    added once through node 1, is there for node 2 as well.
 * 2. The administrator's "send certificates" reaches both nodes at once (a double click, a
 *    load balancer retrying): one applies, the other is refused `alreadyPending`; one Request
 *    leaves the cluster.
 * 3. Globex auto-accepts. Its Response arrives at node 2, which did not send the Request; it
 *    reaches node 1 again (an AS2 retransmission) and is a duplicate there.
 * 4. Both nodes resolve the new signing certificate; both tick at once and send nothing more.
 *
 * Runs on PGlite (PostgreSQL compiled to WebAssembly, in this process) unless given a server:
 * `npx tsx examples/postgres-cluster.ts postgres://user@host/db` (or `CEM_EXAMPLE_PG_URL`). On a
 * server it uses the table `cem_example_records` (dropped at the end).
 *
 * @module
 */
import { fingerprint, localCertificate, nameOf, partnerCertificate } from './certs/index.js';
import {
  createCemEngine, createManualClock, createMemoryPorts, createPostgresStore,
  type CemEngine, type ManualClock, type MemoryPorts, type OutboundCemMessage, type PostgresPool, type ReceiveOutcome,
} from './sdk.js';
import { createPglitePool } from './support/pglite-pool.js';
import { createEngineParty, isMain } from './support/parties.js';

/** Options of {@link main}. */
export interface PostgresClusterOptions {
  /** A PostgreSQL URL; PGlite in this process when absent. */
  readonly connectionString?: string;
  readonly log?: (line: string) => void;
}

/** What the run did. */
export interface PostgresClusterSummary {
  readonly database: 'PGlite' | 'PostgreSQL';
  /** The two concurrent `sendCertificates`: applied, or the refusal's reason. */
  readonly sends: readonly string[];
  /** CEM Requests that left the cluster (both nodes together). */
  readonly requestsSent: number;
  /** The Response at node 2, then again at node 1. */
  readonly responseAtNode2: ReceiveOutcome['kind'];
  readonly responseAgainAtNode1: ReceiveOutcome['kind'];
  /** The signing certificate each node resolves for Globex at the end. */
  readonly signingByNode: readonly string[];
  /** Requests sent by the ticks after the exchange (none). */
  readonly sentByTicks: number;
  /** Rows in the records table at the end. */
  readonly rows: number;
}

/** One node: its own engine and memory transport, the shared store. */
interface Node {
  readonly engine: CemEngine;
  readonly ports: MemoryPorts;
}

async function openPool(connectionString: string | undefined): Promise<{ pool: PostgresPool; close: () => Promise<void>; table: string }> {
  if (connectionString === undefined) {
    const pool = await createPglitePool();
    return { pool, close: () => pool.db.close(), table: 'cem_records' };
  }
  // A host's pool: `pg` is an optional peer dependency of ediint-cem, installed by the host.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString, max: 10 });
  pool.on('error', () => undefined); // an idle connection lost: the pool replaces it
  return {
    pool,
    table: 'cem_example_records',
    close: async () => {
      await pool.query('drop table if exists cem_example_records, cem_example_records_meta');
      await pool.end();
    },
  };
}

function headers(from: string, to: string, messageId: string): Record<string, string> {
  return { 'AS2-From': from, 'AS2-To': to, 'Message-ID': messageId, 'EDIINT-Features': 'multiple-attachments, CEM' };
}

function body(m: OutboundCemMessage): { contentType: string; body: Uint8Array } {
  return { contentType: m.contentType, body: m.body };
}

/**
 * Runs the example.
 *
 * @example
 * ```ts
 * const summary = await main({ log: console.log })
 * summary.sends // ['applied', 'alreadyPending'] (in either order)
 * ```
 * @throws Error when a step is refused (it is not), or the database cannot be reached.
 */
export async function main(options: PostgresClusterOptions = {}): Promise<PostgresClusterSummary> {
  const log = options.log ?? (() => undefined);
  const connectionString = options.connectionString;
  const { pool, close, table } = await openPool(connectionString);
  try {
    const store = createPostgresStore({ pool, table });
    await store.migrate();
    const clock: ManualClock = createManualClock(new Date('2027-03-01T09:00:00Z'));
    const node = (n: number): Node => {
      const ports = createMemoryPorts({ start: clock.now(), ids: { prefix: `acme${n}`, domain: 'acme.example' } });
      return { ports, engine: createCemEngine({ ...ports, clock, store }, { engineId: `acme-node-${n}` }) };
    };
    const [node1, node2] = [node(1), node(2)];
    const globex = createEngineParty({ name: 'Globex', clock, settings: { autoAccept: true } });

    const added = await node1.engine.addRelationship({
      id: 'globex', localName: 'Acme', partnerName: 'Globex', protocol: 'AS2', responseUrl: 'https://as2.acme.example/as2', cemOverride: 'capable',
      local: { signing: localCertificate('acme-sign-1'), encryption: localCertificate('acme-enc-1') },
      partner: { signing: partnerCertificate('globex-sign-1'), encryption: partnerCertificate('globex-enc-1') },
    });
    await globex.engine.addRelationship({
      id: 'acme', localName: 'Globex', partnerName: 'Acme', protocol: 'AS2', responseUrl: 'https://as2.globex.example/as2', cemOverride: 'capable',
      local: { signing: localCertificate('globex-sign-1'), encryption: localCertificate('globex-enc-1') },
      partner: { signing: partnerCertificate('acme-sign-1'), encryption: partnerCertificate('acme-enc-1') },
    });
    if (!added.applied) throw new Error(`relationship refused: ${added.refusal?.reason}`);
    log(`node 2 sees the relationship node 1 added: ${(await node2.engine.status('globex')).length === 1}`);

    const results = await Promise.all([node1, node2].map((n) => n.engine.sendCertificates('globex', { signing: localCertificate('acme-sign-2'), encryption: localCertificate('acme-enc-2') })));
    const sends = results.map((r) => (r.applied ? 'applied' : (r.refusal?.reason ?? 'refused')));
    log(`sendCertificates on both nodes at once: ${sends.join(', ')}`);
    const requests = [...node1.ports.transport.requests, ...node2.ports.transport.requests];
    const request = requests[0];
    if (request === undefined) throw new Error('no Request was sent');

    const atGlobex = await globex.engine.receive({ body: body(request), headers: headers('Acme', 'Globex', '<1@acme.example>'), verifiedBy: fingerprint('acme-sign-1') });
    const response = globex.ports.transport.responses[0];
    if (atGlobex.kind !== 'request' || response === undefined) throw new Error(`Globex did not answer: ${atGlobex.kind}`);
    const responseIn = { body: body(response), headers: headers('Globex', 'Acme', '<1@globex.example>'), verifiedBy: fingerprint('globex-sign-1') };
    const atNode2 = await node2.engine.receive(responseIn);
    const again = await node1.engine.receive(responseIn);
    log(`Globex's Response at node 2: ${atNode2.kind}; the same message at node 1: ${again.kind}`);

    const signingByNode = await Promise.all([node1, node2].map(async (n) => nameOf((await n.engine.resolve('globex'))?.signOutbound?.fingerprint ?? '')));
    log(`both nodes now sign with: ${signingByNode.join(', ')}`);
    clock.advance({ hours: 1 });
    const before = node1.ports.transport.sent.length + node2.ports.transport.sent.length;
    await Promise.all([node1.engine.tick(), node2.engine.tick()]);
    const sentByTicks = node1.ports.transport.sent.length + node2.ports.transport.sent.length - before;
    const rows = Number((await pool.query(`select count(*) as n from ${table}`)).rows[0]?.['n']);
    log(`${rows} records in ${table} (${connectionString === undefined ? 'PGlite' : 'PostgreSQL'})`);
    return {
      database: connectionString === undefined ? 'PGlite' : 'PostgreSQL',
      sends,
      requestsSent: requests.length,
      responseAtNode2: atNode2.kind,
      responseAgainAtNode1: again.kind,
      signingByNode,
      sentByTicks,
      rows,
    };
  } finally {
    await close();
  }
}

if (isMain(import.meta.url)) {
  const summary = await main({ log: console.log, connectionString: process.argv[2] ?? process.env['CEM_EXAMPLE_PG_URL'] });
  console.log(JSON.stringify(summary, null, 2));
}
