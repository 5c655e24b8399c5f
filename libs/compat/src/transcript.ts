import type { PromptBlock } from '@clawdforge/runners';

/** One turn of a conversation as a client sent it: who spoke, and what (text and images, in order). */
export interface ChatTurn {
  role: 'user' | 'assistant';
  blocks: PromptBlock[];
  /** A participant's name (OpenAI's `name`), kept as an attribute of its message. */
  name?: string;
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
  if (turns.length === 1 && turns[0].role === 'user' && turns[0].name === undefined) {
    const blocks = turns[0].blocks.length > 0 ? turns[0].blocks : [{ type: 'text' as const, text: '' }];
    return { prompt: textOf(blocks), content: blocks };
  }
  const content: PromptBlock[] = [];
  const text = (value: string) => {
    const last = content.at(-1);
    if (last?.type === 'text') last.text += value;
    else content.push({ type: 'text', text: value });
  };
  text(`${TRANSCRIPT_PREAMBLE}<conversation>\n`);
  for (const turn of turns) {
    text(`<message role="${turn.role}"${turn.name === undefined ? '' : ` name="${escapeMessageText(turn.name).replace(/"/g, '&quot;')}"`}>\n`);
    for (const block of turn.blocks) {
      if (block.type === 'text') text(escapeMessageText(block.text));
      else content.push(block);
    }
    text('\n</message>\n');
  }
  text('</conversation>');
  return { prompt: textOf(content), content };
}

function textOf(blocks: PromptBlock[]): string {
  return blocks.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** The image types the model API takes. */
export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
