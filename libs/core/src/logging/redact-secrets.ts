/** An Anthropic key, an app token, or a bearer credential, wherever it turns up in text. */
const SECRET_LIKE = /\b(sk-ant-[A-Za-z0-9_-]+|cf_[A-Za-z0-9_-]{20,}|Bearer\s+\S+)/g;

/** `text` with every key or token in it replaced by `[redacted]`: for what a log or a client may read. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_LIKE, '[redacted]');
}
