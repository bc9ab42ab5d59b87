/**
 * ediint-cem: EDIINT Certificate Exchange Messaging for AS2 products.
 *
 * The public surface is listed by name; nothing else is exported.
 *
 * @module
 */
export { CemError, CemXmlError, CemMimeError, CemCryptoError, CemArgumentError, CemEngineError, isCemError } from './errors.js';
export type {
  AnyCemError,
  CemErrorCode,
  CemXmlErrorCode,
  CemMimeErrorCode,
  CemCryptoErrorCode,
  CemArgumentErrorCode,
  CemEngineErrorCode,
} from './errors.js';
export { CERT_USAGES, isCertUsage } from './types.js';
export type { CertUsage, CertStatus, IssuerSerial } from './types.js';
