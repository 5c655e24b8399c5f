import { sanitizeCliMessage, stderrForLog } from './cli-errors';

describe('sanitizeCliMessage', () => {
  it('removes keys, tokens and paths', () => {
    const text = 'Error at /home/alice/.claude/x.js: key sk-ant-api03-SECRET, token cf_abcdefghijklmnopqrstuvwxyz012345, Bearer abc.def';
    const clean = sanitizeCliMessage(text);
    expect(clean).not.toMatch(/alice|SECRET|cf_abcdef|abc\.def/);
    expect(clean).toContain('[path]');
    expect(clean).toContain('[redacted]');
  });

  it('drops control characters and bounds the length', () => {
    expect(sanitizeCliMessage('a\u0000b\u001b[31mc')).toBe('ab[31mc');
    expect(sanitizeCliMessage('x'.repeat(2000))).toHaveLength(501);
  });

  it('keeps an ordinary message intact', () => {
    expect(sanitizeCliMessage('API Error: 529 overloaded')).toBe('API Error: 529 overloaded');
  });
});

describe('stderrForLog', () => {
  it('keeps the end of a long stderr, without keys, tokens or paths', () => {
    const stderr = `${'noise '.repeat(2000)}\nError: 401 for key sk-ant-api03-LEAKED at /home/alice/.claude/.credentials.json`;
    const line = stderrForLog(stderr);
    expect(line).toContain('Error: 401 for key [redacted] at [path]');
    expect(line).not.toMatch(/LEAKED|alice/);
    expect(line.length).toBeLessThanOrEqual(2001);
  });
});
