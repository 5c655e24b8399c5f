import { buildClaudeArgs, coarseBudget } from './claude-args';

describe('buildClaudeArgs', () => {
  it('switches off everything the host could inject and gives no tools by default', () => {
    expect(buildClaudeArgs({ model: 'sonnet' }, 'none')).toEqual([
      '--print',
      '--input-format=stream-json',
      '--output-format=stream-json',
      '--verbose',
      '--model=sonnet',
      '--no-session-persistence',
      '--strict-mcp-config',
      '--setting-sources=',
      '--disable-slash-commands',
      '--tools=',
      '--permission-mode=dontAsk',
    ]);
  });

  it('asks for partial messages only when a run streams', () => {
    expect(buildClaudeArgs({ model: 'sonnet' }, 'none')).not.toContain('--include-partial-messages');
    expect(buildClaudeArgs({ model: 'sonnet' }, 'none', true)).toContain('--include-partial-messages');
  });

  it('offers read-only tools when the policy says so', () => {
    expect(buildClaudeArgs({ model: 'sonnet' }, 'read-only')).toContain('--tools=Read,Grep,Glob');
  });

  it.each([
    '--dangerously-skip-permissions',
    '-p',
    '--tools=Bash',
    '$(rm -rf /)',
    '; cat /etc/passwd',
    'line one\n--permission-mode=bypassPermissions',
    '',
  ])('keeps a hostile system prompt %p inside its own flag', (system) => {
    const args = buildClaudeArgs({ model: 'sonnet', system }, 'none');
    expect(args[args.length - 1]).toBe(`--system-prompt=${system}`);
    expect(args.filter((arg) => arg.startsWith('--tools'))).toEqual(['--tools=']);
    expect(args.filter((arg) => arg.startsWith('--permission-mode'))).toEqual(['--permission-mode=dontAsk']);
    expect(args).not.toContain('--dangerously-skip-permissions');
  });

  it('serialises a JSON schema into one argument', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', description: '--tools=Bash' } } };
    const args = buildClaudeArgs({ model: 'claude-opus-4-1', jsonSchema: schema }, 'none');
    expect(args[args.length - 1]).toBe(`--json-schema=${JSON.stringify(schema)}`);
    expect(args.filter((arg) => arg.startsWith('--tools'))).toEqual(['--tools=']);
  });

  it('passes the budget left rounded down to two significant figures, never up', () => {
    expect(coarseBudget(4.87)).toBe(4.8);
    expect(coarseBudget(0.29)).toBe(0.29);
    expect(coarseBudget(0.0076)).toBe(0.0076);
    expect(coarseBudget(0.00769)).toBe(0.0076);
    expect(coarseBudget(123.4)).toBe(120);
    expect(coarseBudget(0)).toBe(0);
    expect(coarseBudget(-1)).toBe(0);
    for (const usd of [0.011, 0.0199, 1.5, 9.99, 10, 0.1 + 0.2, 7.3e-5]) expect(coarseBudget(usd)).toBeLessThanOrEqual(usd);
    expect(buildClaudeArgs({ model: 'haiku', maxBudgetUsd: 4.87 }, 'none')).toContain('--max-budget-usd=4.8');
  });
});
