/**
 * The JSON shapes printed by `cem inspect --json`, and the readable table printed without it.
 *
 * @module
 */
import type { CertificateInfo } from '../crypto/certificate.js';
import { checkCertificateSuitabilityForUsages, type SuitabilityProblem } from '../crypto/suitability.js';
import type { CemEntityCertificate, ParsedCemEntity } from '../messages/entity/types.js';
import type { CemRequest, CemResponse } from '../messages/model.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** ISO-8601 UTC without milliseconds: `2026-11-25T16:45:00Z`. */
function utc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `RSA 2048`, `EC P-256 (256 bits)`, `Ed25519`: the key algorithm and its size. */
export function keyText(cert: CertificateInfo): string {
  if (cert.namedCurve !== null) return `${cert.keyAlgorithm} ${cert.namedCurve}${cert.keySize === null ? '' : ` (${cert.keySize} bits)`}`;
  if (cert.keyAlgorithm === 'Ed25519' || cert.keyAlgorithm === 'Ed448' || cert.keySize === null) return cert.keyAlgorithm;
  return `${cert.keyAlgorithm} ${cert.keySize}`;
}

/**
 * The `certificate` object of a TrustRequest (`null` for bare XML) or of a certificate file, with
 * the suitability problems the library finds (for the TrustRequest's usages, or usage-free ones).
 */
export function certificateJson(cert: CertificateInfo, chain: readonly CertificateInfo[], problems: readonly SuitabilityProblem[] = []): { [key: string]: Json } {
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serial: cert.serial,
    notBefore: utc(cert.notBefore),
    notAfter: utc(cert.notAfter),
    sha256: cert.sha256,
    key: keyText(cert),
    signatureAlgorithm: cert.signatureAlgorithm,
    keyUsage: [...cert.keyUsage],
    extendedKeyUsage: [...cert.extendedKeyUsage],
    isCA: cert.isCA,
    selfSigned: cert.selfSigned,
    problems: problems.map((p) => p.message),
    chain: chain.map((c) => ({ subject: c.subject, issuer: c.issuer, serial: c.serial, sha256: c.sha256 })),
  };
}

/** JSON of a Request; `certificates` gives the parsed parts when the input was a MIME entity; `now` dates the suitability check. */
export function requestJson(request: CemRequest, certificates: readonly CemEntityCertificate[] | null, now: Date): { [key: string]: Json } {
  return {
    kind: 'request',
    requestId: request.requestId,
    sender: { name: request.sender.name, qualifier: request.sender.qualifier },
    originated: request.originated.lexical,
    trustRequests: request.trustRequests.map((t, i) => {
      const part = certificates?.[i];
      return {
        usages: [...t.usages],
        respondBy: t.respondBy?.lexical ?? null,
        responseUrl: t.responseUrl,
        issuer: t.certificate.issuer,
        serial: t.certificate.serial,
        contentId: t.contentId,
        certificate: part ? certificateJson(part.endEntity, part.chain, checkCertificateSuitabilityForUsages(part.endEntity, t.usages, now)) : null,
      };
    }),
  };
}

/** JSON of a Response. */
export function responseJson(response: CemResponse): { [key: string]: Json } {
  return {
    kind: 'response',
    requestId: response.requestId,
    sender: { name: response.sender.name, qualifier: response.sender.qualifier },
    originated: response.originated.lexical,
    trustResponses: response.trustResponses.map((t) => ({
      status: t.status,
      reason: t.reason,
      issuer: t.certificate.issuer,
      serial: t.certificate.serial,
    })),
  };
}

/** JSON of a certificate or PKCS#7 file: the end-entity certificate and its chain. */
export function certificatesJson(endEntity: CertificateInfo, chain: readonly CertificateInfo[], now: Date): { [key: string]: Json } {
  return { kind: 'certificate', ...certificateJson(endEntity, chain, checkCertificateSuitabilityForUsages(endEntity, [], now)) };
}

/** JSON of a certificate file that holds no end-entity certificate (a CA certificate, a CA bundle): each certificate as it is. */
export function caCertificatesJson(certs: readonly CertificateInfo[], now: Date): { [key: string]: Json } {
  const generalProblems = (c: CertificateInfo) => checkCertificateSuitabilityForUsages(c, [], now).filter((p) => p.code !== 'caCertificate');
  if (certs.length === 1) return { kind: 'certificate', ...certificateJson(certs[0] as CertificateInfo, [], generalProblems(certs[0] as CertificateInfo)) };
  return { kind: 'certificates', certificates: certs.map((c) => certificateJson(c, [], generalProblems(c))) };
}

/** JSON of a parsed entity. */
export function entityJson(parsed: ParsedCemEntity, now: Date): { [key: string]: Json } {
  return parsed.kind === 'request' ? requestJson(parsed.request, parsed.certificates, now) : responseJson(parsed.response);
}

/** Renders any of the JSON shapes above as an indented, readable listing. */
export function renderTable(value: Json, indent = ''): string {
  if (value === null || typeof value !== 'object') return `${String(value ?? '-')}\n`;
  const lines: string[] = [];
  const entries: [string, Json][] = Array.isArray(value) ? value.map((v, i) => [`[${i + 1}]`, v]) : Object.entries(value);
  const width = Math.max(0, ...entries.filter(([, v]) => !isNested(v)).map(([k]) => k.length));
  for (const [key, v] of entries) {
    if (isNested(v)) {
      if (Array.isArray(v) && v.length === 0) lines.push(`${indent}${key.padEnd(width)}  -`);
      else lines.push(`${indent}${key}:`, renderTable(v, `${indent}  `).trimEnd());
    } else if (Array.isArray(v)) {
      lines.push(`${indent}${key.padEnd(width)}  ${v.length ? v.join(', ') : '-'}`);
    } else {
      lines.push(`${indent}${key.padEnd(width)}  ${v === null ? '-' : String(v)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function isNested(v: Json): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (!Array.isArray(v)) return true;
  return v.some((x) => x !== null && typeof x === 'object');
}
