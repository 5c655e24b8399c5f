import * as fs from 'node:fs/promises';
import type { PromptBlock, RunAttachment } from './claude-runner';
import { asMessageText } from './message-text';

type ContentBlock =
  | PromptBlock
  | { type: 'document'; source: { type: 'base64'; media_type: 'application/pdf'; data: string }; title: string };

async function blockFor(attachment: RunAttachment): Promise<ContentBlock> {
  const bytes = await fs.readFile(attachment.path);
  if (attachment.mediaType.startsWith('image/')) {
    return { type: 'image', source: { type: 'base64', media_type: attachment.mediaType, data: bytes.toString('base64') } };
  }
  if (attachment.mediaType === 'application/pdf') {
    return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: bytes.toString('base64') }, title: attachment.name };
  }
  return { type: 'text', text: `File: ${attachment.name}\n\n${bytes.toString('utf8')}` };
}

/**
 * The one stdin line of `claude -p --input-format=stream-json`: a user message whose content is
 * the attachments, in order, then the prompt (or the prompt's own content blocks, when it has them),
 * whose text is the user's message, never a command (asMessageText).
 */
export async function buildUserMessage(prompt: string, attachments: RunAttachment[] = [], blocks?: PromptBlock[]): Promise<string> {
  const promptBlocks = (blocks ?? [{ type: 'text' as const, text: prompt }]).map((block) => (block.type === 'text' ? { ...block, text: asMessageText(block.text) } : block));
  const content = [...(await Promise.all(attachments.map(blockFor))), ...promptBlocks];
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content } })}\n`;
}
