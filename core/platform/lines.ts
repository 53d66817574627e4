/** Feeds text chunks in, calls onLine for each complete non-empty line (lines may span chunks). */
export function lineSplitter(onLine: (line: string) => void): {
  push(chunk: string | Buffer): void;
  end(): void;
} {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    },
    end() {
      if (pending.trim()) onLine(pending);
      pending = '';
    },
  };
}
