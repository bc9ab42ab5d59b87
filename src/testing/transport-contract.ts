/**
 * A modest contract for {@link CemTransport} adapters: they take well-formed messages without
 * altering them, and report failure by rejecting.
 *
 * @module
 */
import assert from 'node:assert/strict';
import type { CemTransport, OutboundCemRequest, OutboundCemResponse, OutboundEmail } from '../ports/transport.js';
import { certificateAttachment } from '../ports/transport.js';
import { assertReturnsPromise } from './contract-harness.js';
import type { ContractHarness } from './contract-harness.js';

/**
 * How the contract gets transports.
 *
 * @example
 * ```ts
 * runTransportContract({ describe, it }, { create: () => myTransport(goodUrl), createFailing: () => myTransport(deadUrl) })
 * ```
 */
export interface TransportContractSetup {
  /** A transport whose destination works (a test partner, a local AS2 server). */
  create(): CemTransport | Promise<CemTransport>;
  /** A transport whose destination fails (partner down, relay refusing); skips those tests when absent. */
  createFailing?(): CemTransport | Promise<CemTransport>;
  /** The `describe` title; `CemTransport contract` by default. */
  readonly name?: string;
  /** Overrides the sample partner (AS2 names, recipient address) the messages are sent to. */
  readonly partner?: { readonly partnerId: string; readonly as2From: string; readonly as2To: string; readonly email: string };
}

const BOUNDARY = 'cem-contract-boundary';
const CONTENT_TYPE = `multipart/related; type="application/ediint-cert-exchange+xml"; boundary="${BOUNDARY}"`;

function sampleBody(): Uint8Array {
  const xml = '<?xml version="1.0" encoding="UTF-8"?><EDIINTCertificateExchangeResponse/>';
  const text = `--${BOUNDARY}\r\nContent-Type: application/ediint-cert-exchange+xml\r\nContent-ID: <contract-1@ediint-cem.test>\r\n\r\n${xml}\r\n--${BOUNDARY}--\r\n`;
  return new TextEncoder().encode(text);
}

function samples(partner: NonNullable<TransportContractSetup['partner']>): {
  request: OutboundCemRequest;
  response: OutboundCemResponse;
  email: OutboundEmail;
} {
  const base = { partnerId: partner.partnerId, as2From: partner.as2From, as2To: partner.as2To, contentType: CONTENT_TYPE };
  return {
    request: { ...base, kind: 'request', requestId: 'contract-req-1', body: sampleBody() },
    response: { ...base, kind: 'response', requestId: 'contract-req-0', responseUrl: null, body: sampleBody() },
    email: {
      to: partner.email,
      subject: 'ediint-cem transport contract',
      text: 'A test message.\n.\nWith a lone dot above.',
      attachments: [certificateAttachment('contract.p7c', Uint8Array.from([0x30, 0x82, 0x00, 0x00, 0xff]))],
    },
  };
}

const DEFAULT_PARTNER = { partnerId: 'contract-partner', as2From: 'CEM-CONTRACT-ME', as2To: 'CEM-CONTRACT-PARTNER', email: 'partner@ediint-cem.test' };

/**
 * Registers the transport contract's tests with `harness`.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest'
 * runTransportContract({ describe, it }, {
 *   create: () => createMyAs2Transport(testPartnerConfig),
 *   createFailing: () => createMyAs2Transport({ ...testPartnerConfig, url: 'http://127.0.0.1:9' }),
 * })
 * ```
 */
export function runTransportContract(harness: ContractHarness, setup: TransportContractSetup): void {
  const partner = setup.partner ?? DEFAULT_PARTNER;
  harness.describe(setup.name ?? 'CemTransport contract', () => {
    harness.it('sends a well-formed request and leaves the message as it was', async () => {
      const transport = await setup.create();
      const { request } = samples(partner);
      const before = request.body.slice();
      await assertReturnsPromise(() => transport.sendRequest(request), 'sendRequest');
      assert.deepEqual(request.body, before);
    });

    harness.it('sends a response with or without a ResponseURL', async () => {
      const transport = await setup.create();
      const { response } = samples(partner);
      await assertReturnsPromise(() => transport.sendResponse(response), 'sendResponse');
      await transport.sendResponse({ ...response, responseUrl: 'https://as2.ediint-cem.test/cem' });
    });

    harness.it('sends an e-mail with a certificate attachment when it offers sendEmail', async () => {
      const transport = await setup.create();
      const sendEmail = transport.sendEmail?.bind(transport);
      if (sendEmail === undefined) return;
      const { email } = samples(partner);
      const before = email.attachments[0]?.content.slice();
      await assertReturnsPromise(() => sendEmail(email), 'sendEmail');
      assert.deepEqual(email.attachments[0]?.content, before);
    });

    if (setup.createFailing === undefined) return;
    const createFailing = setup.createFailing;
    harness.it('reports a failed send by rejecting', async () => {
      const transport = await createFailing();
      const { request, response, email } = samples(partner);
      await assert.rejects(assertReturnsPromise(() => transport.sendRequest(request), 'sendRequest'));
      await assert.rejects(assertReturnsPromise(() => transport.sendResponse(response), 'sendResponse'));
      const sendEmail = transport.sendEmail?.bind(transport);
      if (sendEmail !== undefined) await assert.rejects(assertReturnsPromise(() => sendEmail(email), 'sendEmail'));
    });
  });
}
