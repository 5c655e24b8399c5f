import { ERROR_CODES } from '@clawdforge/core';
import { ERROR_CODE_LIST } from './errors';

/** Audit-only records: of a client that went away, and of a run the server died in. No client sees them. */
const SERVER_ONLY = ['cancelled', 'interrupted'];
const SDK_ONLY = ['network_error', 'stream_error'];

describe('ErrorCode', () => {
  it('lists every code the server answers a client with, once, plus the SDK’s own', () => {
    const expected = [...Object.keys(ERROR_CODES).filter((code) => !SERVER_ONLY.includes(code)), ...SDK_ONLY];
    expect([...ERROR_CODE_LIST].sort()).toEqual(expected.sort());
  });
});
