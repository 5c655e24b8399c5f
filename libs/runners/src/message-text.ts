/**
 * A prompt's text as the user's message and nothing else. Claude Code reads a message that starts
 * with `/` as one of its slash commands (and ACP, which carries an agent's own commands as
 * `/name args` text, does the same), whatever the command does: write the login's settings, switch
 * the model, summarise other sessions' transcripts. One space before the slash makes it text: the
 * model reads the same words, and no command layer takes it. The CLI's switch for its own
 * commands (`--disable-slash-commands`) is on as well, for the case this ever gives way.
 */
export function asMessageText(text: string): string {
  return text.startsWith('/') ? ` ${text}` : text;
}

/**
 * What `acpx prompt` reads on stdin for one turn: the text as one ACP text block, in acpx's
 * structured form. Given plain text instead, acpx trims it, and takes any text that starts with
 * `[` and parses as JSON for content blocks of its own choosing (resource links, images by URL),
 * or refuses it; as a block, the text reaches the agent exactly as sent.
 */
export function acpxPromptInput(text: string): string {
  return JSON.stringify([{ type: 'text', text: asMessageText(text) }]);
}
