import { CLIENT_ERROR_CODES } from '@clawdforge/core';
import { ERROR_CODE_LIST } from './errors.js';

const SDK_ONLY = ['network_error', 'stream_error'];

describe('ErrorCode', () => {
  it('lists every code the server answers a client with, once, plus the SDK’s own', () => {
    const expected = [...CLIENT_ERROR_CODES, ...SDK_ONLY];
    expect([...ERROR_CODE_LIST].sort()).toEqual(expected.sort());
  });
});
