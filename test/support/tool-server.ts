import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  FakeModelApi,
  RecordedRequest,
} from "../fixtures/fake-model-api/fake-model-api";
import { assertBuilt, freePort, npmStart, waitForHealth } from "./built-server";
import { sharedClusterDatabase } from "./postgres";
import { realClis } from "./real-clis";
import { ADMIN_TOKEN, FAKE_CLI_DIR } from "./test-env";

export interface ToolServer {
  api: FakeModelApi;
  base: string;
  mint: (name: string) => Promise<string>;
  health: () => Promise<{
    cli_children: number;
    tool_runs: { running: number; parked: number };
  }>;
  /** Until no CLI child is alive and no tool run is left (or `timeoutMs`), then the last /healthz. */
  settled: (
    timeoutMs?: number,
  ) => Promise<{
    cli_children: number;
    tool_runs: { running: number; parked: number };
  }>;
  close: () => Promise<void>;
}

/**
 * The built server (`npm start`) with the real pinned claude against a fake Messages API on
 * loopback, no warm spares (so every claude alive belongs to a run), and `env`.
 */
export async function startToolServer(
  env: Record<string, string> = {},
): Promise<ToolServer> {
  assertBuilt();
  const api = await FakeModelApi.start();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "clawdforge-tools-"));
  const port = await freePort();
  const dataDir = path.join(home, "data");
  const server = npmStart(home, {
    ADMIN_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    ACPX_BIN: path.join(FAKE_CLI_DIR, "acpx"),
    ...(await sharedClusterDatabase(dataDir)),
    CLAUDE_BIN: realClis({}).CLAUDE_BIN,
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: "sk-ant-test",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CONFIG_DIR: path.join(home, ".claude"),
    IS_SANDBOX: "1",
    RUN_WARM_POOL: "0",
    ...env,
  });
  try {
    // A machine busy with other work may take a while to start a Node server.
    await waitForHealth(port, server, 90_000);
  } catch (error) {
    server.stop("SIGKILL");
    throw error;
  }
  const base = `http://127.0.0.1:${port}`;
  const health = async () =>
    (await (await fetch(`${base}/healthz`)).json()) as Awaited<
      ReturnType<ToolServer["health"]>
    >;
  return {
    api,
    base,
    mint: async (name) => {
      const res = await fetch(`${base}/admin/tokens`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${ADMIN_TOKEN}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ name }),
      });
      return ((await res.json()) as { token: string }).token;
    },
    health,
    settled: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await health();
        if (
          (now.cli_children === 0 &&
            now.tool_runs.running + now.tool_runs.parked === 0) ||
          Date.now() > deadline
        )
          return now;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: async () => {
      server.stop();
      await server.exited;
      await api.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Every tool_result block of a model call's messages, with its text. */
export function toolResults(
  request: RecordedRequest,
): { tool_use_id: string; is_error: boolean; text: string }[] {
  const messages = (request.body?.messages ?? []) as { content: unknown }[];
  return messages.flatMap((message) =>
    (Array.isArray(message.content) ? message.content : [])
      .filter((block: { type?: string }) => block.type === "tool_result")
      .map(
        (block: {
          tool_use_id: string;
          is_error?: boolean;
          content: unknown;
        }) => ({
          tool_use_id: block.tool_use_id,
          is_error: block.is_error === true,
          text:
            typeof block.content === "string"
              ? block.content
              : JSON.stringify(block.content),
        }),
      ),
  );
}

/** The whole of a model call's messages as text, to find what reached the model however it was sent. */
export function messagesText(request: RecordedRequest): string {
  return JSON.stringify(request.body?.messages ?? []);
}
