/**
 * How a refused tool call reads when nothing marks it as one: confinement, a permission rule, or a
 * tool the agent does not have. Claude Code marks its own refusals (non_execution_kind); other
 * agents only say so.
 */
export const REFUSAL_TEXT = /permission|denied|not allowed|restricted|no such tool|not available/i;
