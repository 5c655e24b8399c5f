const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const FAKE_ID = /\b(msg_fake_|toolu_fake_)(\d+)/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g;
const LOOPBACK_PORT = /127\.0\.0\.1:\d+/g;
/** Keys of timings, which differ from one run to the next. */
const TIMING_KEY = /(?:_ms|Ms)$/;

/**
 * One recorded output made repeatable: each JSON line kept, with what differs between runs of the
 * same conversation replaced: the temporary directories by their names in `places`, ids (uuids, the
 * fake model's message and tool ids) renumbered in order of appearance, times and timings fixed.
 */
export function normaliseOutput(stdout: string, places: Record<string, string>): Record<string, unknown>[] {
  // One numbering per kind of id, each from 1.
  const numberings = new Map<string, Map<string, number>>();
  const numbered = (kind: string, id: string) => {
    const numbering = numberings.get(kind) ?? numberings.set(kind, new Map()).get(kind)!;
    return numbering.get(id) ?? numbering.set(id, numbering.size + 1).get(id)!;
  };
  const lines: Record<string, unknown>[] = [];
  for (const raw of stdout.split('\n')) {
    if (!raw.trim().startsWith('{')) continue;
    let textLine = raw;
    // Longest first, so a directory inside another is named as itself.
    for (const [dir, name] of Object.entries(places).sort(([a], [b]) => b.length - a.length)) textLine = textLine.split(dir).join(name);
    textLine = textLine
      .replace(UUID, (id) => `00000000-0000-4000-8000-${String(numbered('uuid', id)).padStart(12, '0')}`)
      .replace(FAKE_ID, (_id, prefix: string, n: string) => `${prefix}${numbered(prefix, n)}`)
      .replace(ISO_TIME, '2000-01-01T00:00:00.000Z')
      .replace(LOOPBACK_PORT, '127.0.0.1:8');
    lines.push(JSON.parse(textLine, (key, value: unknown) => (TIMING_KEY.test(key) && typeof value === 'number' ? 0 : value)) as Record<string, unknown>);
  }
  return lines;
}
