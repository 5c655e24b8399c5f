import type { RecordedRequest, Reply } from '../../test/fixtures/fake-model-api/fake-model-api';

/**
 * What the fake model answers the CLIs inside the container: every answer names the last prompt it
 * was given, so a run's or a turn's result proves which request produced it; once armed with a
 * shell command, the next call gets that command as a Bash tool call, and the call answering it
 * (or any side request of the CLI's) gets plain text.
 */
export class ModelScript {
  private command: string | null = null;

  /** The next model call asks for this shell command. */
  armShell(command: string): void {
    this.command = command;
  }

  readonly reply = (request: RecordedRequest): Reply => {
    if (this.command !== null && !answersTools(request)) {
      const command = this.command;
      this.command = null;
      return { toolUse: { name: 'Bash', input: { command, description: 'check the shell sandbox' } } };
    }
    return { text: answerTo(lastPrompt(request)) };
  };
}

export function answerTo(prompt: string): string {
  return `answered: ${prompt.slice(0, 80)}`;
}

/** The text of the last user message that is a prompt (not a tool result). */
export function lastPrompt(request: RecordedRequest): string {
  const messages = (request.body?.messages ?? []) as { role: string; content: unknown }[];
  for (const message of [...messages].reverse()) {
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content.trim();
    const texts = (message.content as { type: string; text?: string }[])
      .filter((block) => block.type === 'text' && typeof block.text === 'string' && !block.text.startsWith('<system-reminder>'))
      .map((block) => block.text!.trim());
    if (texts.length > 0) return texts[texts.length - 1];
  }
  return '';
}

/** The text of every tool result the CLI sent back, in order. */
export function toolResultTexts(requests: RecordedRequest[]): string[] {
  const texts: string[] = [];
  for (const request of requests) {
    for (const message of (request.body?.messages ?? []) as { role: string; content: unknown }[]) {
      if (message.role !== 'user' || !Array.isArray(message.content)) continue;
      for (const block of message.content as { type: string; content?: unknown }[]) {
        if (block.type !== 'tool_result') continue;
        const content = block.content;
        texts.push(typeof content === 'string' ? content : JSON.stringify(content ?? ''));
      }
    }
  }
  return [...new Set(texts)];
}

function answersTools(request: RecordedRequest): boolean {
  return JSON.stringify(request.body?.messages ?? []).includes('"tool_result"');
}
