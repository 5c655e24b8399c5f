import * as fs from 'node:fs';
import * as path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { CLIENT_ERROR_CODES, ERROR_CODES } from '@clawdforge/core';
import { assertBuilt, NpmServer, startNpmServer } from './support/built-server';

/** The API reference, whose tables are held to the document here. */
const API_DOC = fs.readFileSync(path.join(__dirname, '..', 'docs', 'api.md'), 'utf8');

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  example?: unknown;
  default?: unknown;
}
interface Operation {
  summary?: string;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema; examples?: Record<string, { value: { error: { code: string } } }> }> }>;
}
interface Document {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** The rows of the docs/api.md table whose header line matches `header`, as cells. */
function docTable(header: RegExp): string[][] {
  const lines = API_DOC.split('\n');
  const start = lines.findIndex((line) => header.test(line));
  if (start < 0) throw new Error(`docs/api.md has no table headed ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

/** The names in backticks in a cell: "`budget_usd_day` / `budget_usd_month`" → both. */
const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** Catch-alls for a framework exception without a code of ours: kept out of docs/api.md's table on purpose. */
const CATCH_ALLS = ['unauthorized', 'forbidden', 'method_not_allowed', 'conflict', 'http_error'];

/** The document the built server serves (tsc's decorator metadata, not the test transform's). */
describe('the OpenAPI document', () => {
  let server: NpmServer;
  let doc: Document;

  beforeAll(async () => {
    assertBuilt();
    server = await startNpmServer({ RUN_WARM_POOL: '0' });
    const res = await fetch(`${server.base}/docs-json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
  });
  afterAll(() => server?.stop());

  const resolve = (schema: Schema): Schema => {
    if (!schema.$ref) return schema;
    const name = schema.$ref.replace('#/components/schemas/', '');
    return doc.components.schemas[name];
  };
  /** Property names of a schema, inherited ones included. */
  const fieldsOf = (schema: Schema): string[] => {
    const s = resolve(schema);
    return [...Object.keys(s.properties ?? {}), ...(s.allOf ?? []).flatMap(fieldsOf)];
  };
  const bodyFields = (method: string, route: string): string[] => {
    const body = doc.paths[route][method].requestBody;
    if (!body) throw new Error(`${method} ${route} has no body`);
    return fieldsOf(Object.values(body.content)[0].schema);
  };
  const responseFields = (method: string, route: string, status: string): string[] =>
    fieldsOf(doc.paths[route][method].responses[status].content!['application/json'].schema);

  it('validates against the OpenAPI 3 schema, every $ref resolving', async () => {
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect((api as { openapi?: string }).openapi).toMatch(/^3\./);
  });

  it('types every value: no object schema without members, no untyped property', () => {
    const problems: string[] = [];
    const visit = (schema: Schema, where: string) => {
      if (schema.$ref) return;
      if (schema.type === 'object' && !schema.properties && !schema.additionalProperties && !schema.allOf) problems.push(`${where}: an object with no members`);
      if (!schema.type && !schema.allOf && !(schema as { oneOf?: unknown }).oneOf) problems.push(`${where}: no type`);
      for (const [name, property] of Object.entries(schema.properties ?? {})) visit(property, `${where}.${name}`);
      if (schema.items) visit(schema.items, `${where}[]`);
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) visit(schema, name);
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const param of (op as { parameters?: { name: string; schema: Schema }[] }).parameters ?? []) visit(param.schema, `${method.toUpperCase()} ${route} ?${param.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has each route of the docs/api.md table, and no route the table lacks', () => {
    const rows = docTable(/^\| method \| path \| token \| what \|$/);
    const listed = rows.map(([method, route]) => `${codeSpans(method)[0]} ${codeSpans(route)[0]}`).sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([route, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${route}`))
      .sort();
    expect(listed).toEqual(documented);
  });

  it('takes each POST /run field of the docs/api.md table', () => {
    const fields = docTable(/^\| field \| \| \|$/).flatMap(([field]) => codeSpans(field));
    expect(fields.length).toBeGreaterThan(5);
    expect(bodyFields('post', '/run').sort()).toEqual(fields.sort());
  });

  it('has each policy field of the docs/api.md table at mint, on PATCH and in the token it answers', () => {
    const fields = docTable(/^\| field \| effect \|$/).flatMap(([field]) => codeSpans(field));
    expect(fields).toEqual(['models', 'max_concurrent_runs', 'runs_per_minute', 'budget_usd_day', 'budget_usd_month']);
    for (const [method, route, from] of [
      ['post', '/admin/tokens', bodyFields('post', '/admin/tokens')],
      ['patch', '/admin/tokens/{name}', bodyFields('patch', '/admin/tokens/{name}')],
      ['get', '/admin/tokens/{name}', responseFields('get', '/admin/tokens/{name}', '200')],
    ] as const) {
      expect({ method, route, missing: fields.filter((f) => !from.includes(f)) }).toEqual({ method, route, missing: [] });
    }
  });

  it('names each error code of the docs/api.md table under its status, on a route or among the errors any route may answer', () => {
    const rows = docTable(/^\| status \| codes \|$/);
    // Parenthesised remarks name fields and headers, not codes.
    const listed = rows.flatMap(([status, codes]) => codeSpans(codes.replace(/\([^)]*\)/g, '')).map((code) => ({ status: Number(status), code })));
    const enumerated = resolve({ $ref: '#/components/schemas/ErrorDetailDto' }).properties!.code.enum;
    const serverWide = doc.info.description.split('\n');
    const undocumented = listed.filter(({ status, code }) => {
      if (!enumerated?.includes(code) || ERROR_CODES[code as keyof typeof ERROR_CODES] !== status) return true;
      const onRoute = Object.values(doc.paths).some((ops) => Object.values(ops).some((op) => op.responses[String(status)]?.description?.includes(`\`${code}\``)));
      return !onRoute && !serverWide.some((line) => line.startsWith(`- \`${status}\` \`${code}\``));
    });
    expect(undocumented).toEqual([]);
    // …and the docs/api.md table has every code a client can be answered with.
    const clientCodes = CLIENT_ERROR_CODES.filter((code) => !CATCH_ALLS.includes(code));
    expect(listed.map((r) => r.code).sort()).toEqual(clientCodes.sort());
  });

  it('gives every route a summary, every error answer the error body with the codes of its status and an example of each, and every body field an example', () => {
    const problems: string[] = [];
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${route}`;
        if (!op.summary) problems.push(`${name}: no summary`);
        for (const [status, answer] of Object.entries(op.responses)) {
          if (Number(status) < 400 || route === '/healthz') continue;
          const json = answer.content?.['application/json'];
          // The /v1 routes answer in OpenAI's or Anthropic's own error shape, which has no room for per-code examples.
          const foreign = route.startsWith('/v1/');
          const errorBody = foreign ? /^#\/components\/schemas\/(OpenAiErrorDoc|AnthropicErrorDoc)$/ : /^#\/components\/schemas\/ErrorBodyDto$/;
          if (!errorBody.test(json?.schema.$ref ?? '')) problems.push(`${name} ${status}: not the error body`);
          const codes = [...(answer.description ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).filter((code) => code in ERROR_CODES);
          if (codes.length === 0) problems.push(`${name} ${status}: names no error code`);
          for (const code of codes) {
            const answersWith = ERROR_CODES[code as keyof typeof ERROR_CODES];
            if (answersWith !== Number(status)) problems.push(`${name} ${status}: names ${code}, which answers ${answersWith}`);
          }
          // One example body per code, so a reader sees each code's answer.
          if (foreign) continue;
          const examples = Object.entries(json?.examples ?? {}).map(([key, example]) => `${key}=${example.value.error.code}`);
          if (JSON.stringify(examples) !== JSON.stringify([...new Set(codes)].map((code) => `${code}=${code}`))) problems.push(`${name} ${status}: examples ${examples.join(', ')}`);
        }
        if (!op.requestBody) continue;
        if (!op.responses['400']) problems.push(`${name}: takes a body but documents no 400`);
        const schema = resolve(Object.values(op.requestBody.content)[0].schema);
        for (const [field, property] of Object.entries(schema.properties ?? {})) {
          if (property.example === undefined && property.format !== 'binary') problems.push(`${name} body field ${field}: no example`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
