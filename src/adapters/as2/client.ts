/**
 * Sending an AS2 message and checking its synchronous MDN.
 *
 * @module
 */
import { CemAs2Error } from '../../errors.js';
import { postAs2, type As2HttpOptions } from './http.js';
import { mdnProblem, readMdn, type As2MdnRead } from './mdn.js';
import type { As2OutboundMessage } from './message-build.js';

/** What posting a message gave. */
export interface As2SendResult {
  readonly messageId: string;
  readonly status: number;
  /** The synchronous MDN, `null` when none was asked for (or it is asynchronous). */
  readonly mdn: As2MdnRead | null;
  /** Why the MDN is not a good `processed` for this message, `null` when it is (or none was expected). */
  readonly problem: string | null;
  /** The raw response (headers and body), for keeping the MDN. */
  readonly response: { readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>; readonly body: Uint8Array };
}

/**
 * Posts a built message to `url`; with a synchronous MDN, reads it, verifies its signature
 * against `verifyMdn` and compares the MIC.
 *
 * @example
 * ```ts
 * const result = await sendAs2Message('http://127.0.0.1:8080/as2', message, { verifyMdn: [partnerDer] })
 * if (result.problem !== null) console.error(result.problem)
 * ```
 * @throws CemAs2Error `CEM_AS2_HTTP` when the connection fails, times out, the response is too
 *   large or its status is not 2xx.
 * @throws CemArgumentError `CEM_ARGUMENT` for a URL that is not http(s).
 */
export async function sendAs2Message(url: string, message: As2OutboundMessage, options: As2HttpOptions & { readonly verifyMdn: readonly Uint8Array[] }): Promise<As2SendResult> {
  const response = await postAs2(url, message.headers, message.body, options);
  if (response.status < 200 || response.status > 299) {
    throw new CemAs2Error('CEM_AS2_HTTP', `POST ${url} answered HTTP ${response.status}`);
  }
  const base = { messageId: message.messageId, status: response.status, response: { headers: response.headers, body: response.body } };
  if (message.mdn.mode !== 'sync') return Object.freeze({ ...base, mdn: null, problem: null });
  if (response.body.byteLength === 0) return Object.freeze({ ...base, mdn: null, problem: 'no synchronous MDN came back' });
  const mdn = await readMdn(response.headers, response.body, { verify: options.verifyMdn });
  if (!mdn.ok) return Object.freeze({ ...base, mdn: null, problem: mdn.detail });
  const problem = mdnProblem(mdn, { messageId: message.messageId, micContent: message.micContent, mic: message.mic, signedReceipt: message.mdn.signed !== false });
  return Object.freeze({ ...base, mdn, problem });
}
