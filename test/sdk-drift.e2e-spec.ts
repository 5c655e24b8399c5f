import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { assertBuilt, NpmServer, PROJECT_ROOT, startNpmServer } from './support/built-server';

const COMPARE = path.join(__dirname, 'fixtures', 'sdk-drift', 'sdk-matches-openapi.ts');
const OPENAPI_TYPESCRIPT = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'openapi-typescript');

type OpenApiDocument = { components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> } };

/** openapi-typescript's types for `doc`, written beside a copy of the comparison, then tsc's verdict on it. */
async function compileAgainst(doc: OpenApiDocument): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clawdforge-sdk-drift-'));
  try {
    fs.writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(doc));
    // A default is what the server fills in, not a field the client must send.
    const generate = spawn(OPENAPI_TYPESCRIPT, ['openapi.json', '--default-non-nullable', 'false', '-o', 'openapi.d.ts'], { cwd: dir });
    let stderr = '';
    generate.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => generate.on('close', resolve));
    if (code !== 0) throw new Error(`openapi-typescript failed: ${stderr}`);
    fs.copyFileSync(COMPARE, path.join(dir, 'compare.ts'));
    const program = ts.createProgram([path.join(dir, 'compare.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
      types: [],
      skipLibCheck: true,
      baseUrl: PROJECT_ROOT,
      paths: { '@clawdforge/client': ['clients/typescript/src/index.ts'] },
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The SDK's request and answer types, and the routes it calls, against the document the built server serves. */
describe('SDK drift', () => {
  let server: NpmServer;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    assertBuilt();
    server = await startNpmServer({ RUN_WARM_POOL: '0' });
    doc = (await (await fetch(`${server.base}/docs-json`)).json()) as OpenApiDocument;
  });
  afterAll(() => server?.stop());

  it('finds the SDK in step with every schema, query and route of the document', async () => {
    expect(await compileAgainst(doc)).toEqual([]);
  }, 60_000);

  it('fails, naming the field, when the server gains a field the SDK lacks or drops one it has, nested ones included', async () => {
    const changed = structuredClone(doc);
    const { RunResponseDto, UsageTotalsView, TurnResponse } = changed.components.schemas;
    RunResponseDto.properties.retries = { type: 'number', example: 0 };
    RunResponseDto.required = [...(RunResponseDto.required ?? []), 'retries'];
    UsageTotalsView.properties.cache_write_tokens = { type: 'number', example: 0 };
    delete TurnResponse.properties.late_events;
    TurnResponse.required = TurnResponse.required?.filter((field) => field !== 'late_events');
    const errors = (await compileAgainst(changed)).join('\n');
    expect(errors).toContain('"retries: in the document, missing in the SDK"');
    expect(errors).toContain('"today.cache_write_tokens: in the document, missing in the SDK"');
    expect(errors).toContain('"late_events: in the SDK, not in the document"');
  }, 60_000);
});
