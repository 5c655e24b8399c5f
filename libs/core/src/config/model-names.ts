/** The claude CLI's model aliases; anything else must be a full `claude-…` model id. */
export const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'opusplan', 'sonnet[1m]', 'opus[1m]'] as const;

const MODEL_ID = /^claude-[a-z0-9.-]{1,64}$/;

export function isModelName(value: string): boolean {
  return (MODEL_ALIASES as readonly string[]).includes(value) || MODEL_ID.test(value);
}
