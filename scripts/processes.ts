import { join } from 'node:path';

const root = join(import.meta.dir, '..');

/** A JSON log line from our logger as `level msg key=value ...`; other lines as they are. */
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

export interface ServiceProcess {
  name: string;
  exited: Promise<number>;
  stop(): Promise<void>;
}

/** A Bun child process whose output lines are prefixed with its name. */
export function spawnService(
  name: string,
  cmd: string[],
  env: Record<string, string>,
  say: (tag: string, line: string) => void,
): ServiceProcess {
  const proc = Bun.spawn(cmd, { cwd: root, env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let buffered = '';
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) say(name, prettyLogLine(line));
    }
    if (buffered.trim()) say(name, prettyLogLine(buffered));
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  return {
    name,
    exited: proc.exited,
    stop: async () => {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}
