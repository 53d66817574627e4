/** A JSON log line from our logger as `hh:mm:ss level msg key=value ...`; other lines as they are. */
export function prettyLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { time, level, msg, service: _service, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const clock = typeof time === 'string' ? time.slice(11, 19) : '';
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${clock} ${String(level).padEnd(5)} ${msg} ${fields}`.trimEnd();
  } catch {
    return line;
  }
}
