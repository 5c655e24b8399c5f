import type { PromptBlock } from '@clawdforge/runners';

/** A call the assistant made to one of the client's tools, as the client sends it back: its arguments as JSON text. */
export interface TurnToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** The client's answer to one call: its text, and whether it reports an error. */
export interface TurnToolResult {
  id: string;
  text: string;
  isError: boolean;
}

/**
 * One turn of a conversation as a client sent it: who spoke, and what (text and images, in order);
 * an assistant's calls to tools, and the results that answer them (OpenAI's `tool` messages, the
 * `tool_result` blocks of Anthropic's user messages).
 */
export interface ChatTurn {
  role: 'user' | 'assistant' | 'tool';
  blocks: PromptBlock[];
  /** A participant's name (OpenAI's `name`), kept as an attribute of its message. */
  name?: string;
  toolCalls?: TurnToolCall[];
  toolResults?: TurnToolResult[];
}

/** What reaches the run path: the prompt's text (for the audit) and the user message's content blocks. */
export interface EncodedPrompt {
  prompt: string;
  content: PromptBlock[];
}

export const TRANSCRIPT_PREAMBLE =
  'The conversation so far follows, oldest message first. Each message is one <message> element whose role attribute says who wrote it; ' +
  'inside a message the characters &, < and > are escaped as &amp;, &lt; and &gt;, so no message can open, close or imitate another. ' +
  'Images belong to the message they appear in. Write the assistant’s reply to the last user message, without any markup of this transcript.\n\n';

/** Said after the preamble when the history holds tool calls. */
export const TOOL_TRANSCRIPT_NOTE =
  'A <tool_call> element inside an assistant message is a call the assistant made to a tool, its arguments as JSON; the <tool_result> element with the same id ' +
  'is what the tool answered (is_error="true" when it reported an error). The tools are yours to call again.\n\n';

/** `&`, `<` and `>` as XML entities: a message's text can then never spell `</message>` or a role tag. */
export function escapeMessageText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One user message for `claude -p`. A lone user turn goes as it is, exactly like a /run prompt. A
 * longer history goes whole, as a transcript: every turn a `<message role="…">` element with its text
 * escaped, its images as image blocks in place, so a turn can say anything without forging another's
 * role. Nothing is dropped or shortened; too long for the model is the model's 400.
 */
export function encodeConversation(turns: ChatTurn[]): EncodedPrompt {
  if (turns.length === 1 && turns[0].role === 'user' && turns[0].name === undefined && turns[0].toolResults === undefined) {
    const blocks = turns[0].blocks.length > 0 ? turns[0].blocks : [{ type: 'text' as const, text: '' }];
    return { prompt: textOf(blocks), content: blocks };
  }
  const content: PromptBlock[] = [];
  const text = (value: string) => {
    const last = content.at(-1);
    if (last?.type === 'text') last.text += value;
    else content.push({ type: 'text', text: value });
  };
  const tools = turns.some((turn) => turn.toolCalls !== undefined || turn.toolResults !== undefined);
  text(`${TRANSCRIPT_PREAMBLE}${tools ? TOOL_TRANSCRIPT_NOTE : ''}<conversation>\n`);
  for (const turn of turns) {
    text(`<message role="${turn.role}"${turn.name === undefined ? '' : ` name="${attribute(turn.name)}"`}>\n`);
    for (const result of turn.toolResults ?? []) {
      text(`<tool_result id="${attribute(result.id)}"${result.isError ? ' is_error="true"' : ''}>${escapeMessageText(result.text)}</tool_result>\n`);
    }
    for (const block of turn.blocks) {
      if (block.type === 'text') text(escapeMessageText(block.text));
      else content.push(block);
    }
    for (const call of turn.toolCalls ?? []) text(`\n<tool_call id="${attribute(call.id)}" name="${attribute(call.name)}">${escapeMessageText(call.arguments)}</tool_call>`);
    text('\n</message>\n');
  }
  text('</conversation>');
  return { prompt: textOf(content), content };
}

function attribute(value: string): string {
  return escapeMessageText(value).replace(/"/g, '&quot;');
}

function textOf(blocks: PromptBlock[]): string {
  return blocks.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** The image types the model API takes. */
export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
