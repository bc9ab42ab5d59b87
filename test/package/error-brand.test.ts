/**
 * Dual-package hazard (issue 9, point 7): an error made by another copy of the package (the
 * CommonJS build next to the ESM build, or two installed versions) must still be a CemError to
 * `isCemError`. Here the second copy is a second module instance of src/errors.ts (a query string
 * makes Vite load it again); scripts/check-package.mjs checks the real ESM and CJS builds.
 */
import { describe, expect, it } from 'vitest';
import { CemEngineError, CemXmlError, isCemError } from '../../src/errors.js';

describe('isCemError across copies of the package', () => {
  it('recognises an error class from another module instance by brand and code', async () => {
    const specifier = '../../src/errors.ts?second-copy';
    const other = (await import(/* @vite-ignore */ specifier)) as typeof import('../../src/errors.js');
    expect(other.CemEngineError).not.toBe(CemEngineError); // really a second copy
    const foreign = new other.CemEngineError('CEM_STORE_CONFLICT', 'from the other copy');
    expect(foreign instanceof CemEngineError).toBe(false);
    expect(isCemError(foreign)).toBe(true);
    expect(isCemError(foreign, 'CEM_STORE_CONFLICT')).toBe(true);
    expect(isCemError(foreign, 'CEM_PORT_FAILED')).toBe(false);
    expect(other.isCemError(new CemXmlError('CEM_XML_MALFORMED', 'x'), 'CEM_XML_MALFORMED')).toBe(true);
  });

  it('does not take look-alikes for CemErrors', () => {
    expect(isCemError({ code: 'CEM_STORE_CONFLICT', name: 'CemError', message: 'x' })).toBe(false);
    expect(isCemError(Object.assign(new Error('x'), { code: 'CEM_STORE_CONFLICT' }))).toBe(false);
    const branded = Object.assign(new Error('x'), { code: 'NOT_A_CEM_CODE', [Symbol.for('ediint-cem.error')]: true });
    expect(isCemError(branded)).toBe(false);
    expect(isCemError(null)).toBe(false);
    expect(isCemError('CEM_STORE_CONFLICT')).toBe(false);
  });
});
