import { ApiError } from '@clawdforge/core';
import { mcpAnswer, toolCallResponse } from './mcp-messages';
import { ClientTool, cliToolName, ToolCatalog, TOOL_NAME_MAX } from './tool-catalog';

const params = { name: (i: number) => `tools[${i}].name`, schema: (i: number) => `tools[${i}].input_schema` };
const object = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const tool = (name: string, inputSchema: Record<string, unknown> = object): ClientTool => ({ name, inputSchema });
const refusal = (tools: ClientTool[]) => {
  try {
    new ToolCatalog(tools, params);
  } catch (error) {
    return { code: (error as ApiError).code, field: (error as ApiError).field, message: (error as ApiError).message };
  }
  throw new Error('accepted');
};

describe('ToolCatalog', () => {
  it('maps the name the model calls back to the client’s exactly, also when the CLI respelt it', () => {
    const catalog = new ToolCatalog([tool('get_weather'), tool('db.query'), { name: 'say hi', description: 'Greets.', inputSchema: { type: 'object' } }], params);
    expect(catalog.clientName('mcp__fn__get_weather')).toBe('get_weather');
    expect(catalog.clientName('mcp__fn__db_query')).toBe('db.query');
    expect(catalog.clientName('mcp__fn__say_hi')).toBe('say hi');
    expect(catalog.clientName('mcp__fn__other')).toBeUndefined();
    expect(catalog.clientName('Bash')).toBeUndefined();
    expect(catalog.mcpTools()).toEqual([
      { name: 'get_weather', inputSchema: object, annotations: { readOnlyHint: true } },
      { name: 'db_query', inputSchema: object, annotations: { readOnlyHint: true } },
      { name: 'say_hi', description: 'Greets.', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
    ]);
    expect(cliToolName('a.b/c d-e_f')).toBe('a_b_c_d-e_f');
  });

  it('gives the same tools the same digest and other tools another', () => {
    expect(new ToolCatalog([tool('a')], params).digest).toBe(new ToolCatalog([tool('a')], params).digest);
    expect(new ToolCatalog([tool('a')], params).digest).not.toBe(new ToolCatalog([tool('b')], params).digest);
  });

  it('refuses names that would reach the model alike, naming the later tool', () => {
    expect(refusal([tool('db.query'), tool('db_query')])).toMatchObject({ code: 'invalid_request', field: 'tools[1].name', message: expect.stringContaining('"db_query" reaches the model as "db_query", as "db.query" does') });
    expect(refusal([tool('a'), tool('a')])).toMatchObject({ field: 'tools[1].name', message: expect.stringContaining('is given twice') });
  });

  it('refuses a name the model API could not take once prefixed, and an empty one', () => {
    expect(refusal([tool('x'.repeat(TOOL_NAME_MAX + 1))])).toMatchObject({ field: 'tools[0].name' });
    expect(refusal([tool('')])).toMatchObject({ field: 'tools[0].name' });
    expect(() => new ToolCatalog([tool('x'.repeat(TOOL_NAME_MAX))], params)).not.toThrow();
  });

  it.each([
    [{ type: 'string' }, 'must have "type": "object" at its root'],
    [{ anyOf: [{ type: 'object' }] }, 'must have "type": "object" at its root'],
    [{ type: 'object', anyOf: [{ required: ['a'] }] }, 'must not have anyOf at its root: the CLI would offer the model another schema'],
    [{ type: 'object', properties: { a: { type: 'text' } } }, 'has a "type" at /properties/a that is not a JSON type'],
    [{ type: 'object', properties: { a: 'string' } }, 'has a schema at /properties/a that is not an object'],
    [{ type: 'object', properties: [] }, 'has a "properties" that is not an object of schemas'],
    [{ type: 'object', required: 'a' }, 'has a "required" that is not a list of names'],
    [{ type: 'object', properties: { a: { type: 'array', items: { enum: 'x' } } } }, 'has an "enum" at /properties/a/items that is not a list'],
    [{ type: 'object', properties: { a: { oneOf: {} } } }, 'has a "oneOf" at /properties/a that is not a list of schemas'],
  ])('refuses the schema %j naming the tool: %s', (schema, problem) => {
    expect(refusal([tool('ok'), tool('bad', schema)])).toEqual({ code: 'invalid_request', field: 'tools[1].input_schema', message: `tools[1].input_schema: the schema of the tool "bad" ${problem}` });
  });

  it('takes nested unions, tuples, booleans and definitions', () => {
    const schema = {
      type: 'object',
      properties: { a: { anyOf: [{ type: 'string' }, { type: ['number', 'null'] }] }, b: { type: 'array', items: [{ type: 'string' }, true] }, c: { $ref: '#/$defs/c' } },
      $defs: { c: { type: 'object', additionalProperties: false } },
    };
    expect(() => new ToolCatalog([tool('a', schema)], params)).not.toThrow();
  });
});

describe('mcpAnswer', () => {
  const tools = new ToolCatalog([tool('get_weather')], params).mcpTools();

  it('initializes in the version asked when it knows it, lists the tools, and hands tool calls back with the model’s id', () => {
    expect(mcpAnswer({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18' } }, tools)).toEqual({
      kind: 'reply',
      body: { jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18', capabilities: { tools: { listChanged: false } }, serverInfo: expect.any(Object) } },
    });
    expect(mcpAnswer({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2099-01-01' } }, tools)).toMatchObject({ body: { result: { protocolVersion: '2025-11-25' } } });
    expect(mcpAnswer({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, tools)).toEqual({ kind: 'reply', body: { jsonrpc: '2.0', id: 1, result: { tools } } });
    expect(mcpAnswer({ jsonrpc: '2.0', method: 'notifications/initialized' }, tools)).toEqual({ kind: 'accepted' });
    expect(mcpAnswer({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_weather', arguments: { city: 'Paris' }, _meta: { 'claudecode/toolUseId': 'toolu_1', progressToken: 2 } } }, tools)).toEqual({
      kind: 'call',
      id: 2,
      call: { name: 'get_weather', arguments: { city: 'Paris' }, toolUseId: 'toolu_1' },
    });
  });

  it('answers what it does not offer with JSON-RPC errors', () => {
    expect(mcpAnswer({ jsonrpc: '2.0', id: 'd', method: 'server/discover' }, tools)).toMatchObject({ kind: 'reply', body: { id: 'd', error: { code: -32601 } } });
    expect(mcpAnswer([{ jsonrpc: '2.0', id: 1, method: 'ping' }], tools)).toMatchObject({ body: { error: { code: -32600 } } });
    expect(mcpAnswer({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: {} }, tools)).toMatchObject({ body: { id: 3, error: { code: -32602 } } });
    expect(toolCallResponse(4, { text: 'no', isError: true })).toEqual({ jsonrpc: '2.0', id: 4, result: { content: [{ type: 'text', text: 'no' }], isError: true } });
  });
});
