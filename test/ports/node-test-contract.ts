// Runs the store contract under node:test (spawned by memory-contract.test.ts), to show the suite
// needs nothing from vitest.
import { describe, it } from 'node:test';
import { createMemoryStore, runStoreContract } from '../../src/testing/index.js';

runStoreContract({ describe, it }, () => createMemoryStore(), { name: 'memory store under node:test' });
