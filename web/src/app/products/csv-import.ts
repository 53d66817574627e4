/**
 * A CSV import sent in parts: the file is cut between records (never inside a quoted field),
 * each part goes to POST /api/products/import with the header row in front, and the failed
 * lines each part reports are mapped back to the line numbers of the whole file. So the person
 * sees real progress (lines sent so far), a file larger than the import's body limit still goes
 * through, and the error list names the lines of the file they chose. Plain functions, tested
 * with bun:test.
 */
import type { components } from '@varastokkr/client';

export type ImportSummary = components['schemas']['ImportSummary'];

/** One part of the file: the header plus whole records, and where those records start in the file. */
export interface ImportPart {
  /** The CSV to send: the header row, then this part's records exactly as they are in the file. */
  body: string;
  /** The file's line number of this part's first record line. */
  firstLine: number;
  /** Lines of the header (1 unless a quoted header name holds a line break). */
  headerLines: number;
  /** Records (non-blank) in this part. */
  records: number;
}

export interface ImportPlan {
  parts: ImportPart[];
  /** Records (non-blank) in the whole file, after the header. */
  records: number;
}

/** What a part may hold: small enough to stay well under the import's 1 MB body limit. */
export const PART_LIMITS = { records: 500, bytes: 256 * 1024 };

interface RawRecord {
  /** The record's text with its line break. */
  text: string;
  /** Its first line in the file (1-based). */
  line: number;
  /** Line breaks the record holds (its own included). */
  breaks: number;
}

/** The records of a CSV text as written (quotes respected, line breaks kept), blank lines included. */
function rawRecords(text: string): RawRecord[] {
  const records: RawRecord[] = [];
  let start = 0;
  let line = 1;
  let startLine = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"')
      quoted = !quoted; // an escaped "" toggles twice
    else if (ch === '\n') {
      line++;
      if (!quoted) {
        records.push({ text: text.slice(start, i + 1), line: startLine, breaks: line - startLine });
        start = i + 1;
        startLine = line;
      }
    }
  }
  if (start < text.length)
    records.push({ text: text.slice(start), line: startLine, breaks: line - startLine });
  return records;
}

const isBlank = (record: RawRecord) => record.text.trim() === '';

/**
 * Cuts a CSV file into parts of at most `limits.records` records or `limits.bytes` characters
 * (a single longer record goes alone). A file without a record after its header is one part,
 * so the API's own answer (a missing header, an empty file) reaches the person.
 */
export function planImport(text: string, limits = PART_LIMITS): ImportPlan {
  const [header, ...rest] = rawRecords(text);
  if (!header || !rest.some((r) => !isBlank(r)))
    return { parts: [{ body: text, firstLine: 2, headerLines: 1, records: 0 }], records: 0 };
  const headerText = header.text.endsWith('\n') ? header.text : `${header.text}\n`;
  const parts: ImportPart[] = [];
  let current: RawRecord[] = [];
  let size = 0;
  let count = 0;
  const flush = () => {
    const first = current[0];
    if (!first || count === 0) return;
    const body = headerText + current.map((r) => r.text).join('');
    parts.push({ body, firstLine: first.line, headerLines: header.breaks || 1, records: count });
    current = [];
    size = 0;
    count = 0;
  };
  for (const record of rest) {
    const blank = isBlank(record);
    if (!blank && count > 0 && (count >= limits.records || size + record.text.length > limits.bytes)) flush();
    current.push(record);
    size += record.text.length;
    if (!blank) count++;
  }
  flush();
  return { parts, records: parts.reduce((sum, p) => sum + p.records, 0) };
}

/** A line number the API gave for a part, as the line of the whole file. */
export function fileLine(part: ImportPart, partLine: number): number {
  return partLine - (part.headerLines + 1) + part.firstLine;
}

export const emptySummary = (): ImportSummary => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  failedCount: 0,
  failed: [],
});

/** The summary so far plus one part's, with that part's failed lines numbered as in the file. */
export function addPartSummary(
  total: ImportSummary,
  part: ImportPart,
  summary: ImportSummary,
): ImportSummary {
  const failed = summary.failed.map((f) => ({ line: fileLine(part, f.line), message: f.message }));
  return {
    created: total.created + summary.created,
    updated: total.updated + summary.updated,
    unchanged: total.unchanged + summary.unchanged,
    failedCount: total.failedCount + summary.failedCount,
    failed: [...total.failed, ...failed].sort((a, b) => a.line - b.line),
  };
}

/** "120 of 480 lines" and the fraction for a <progress>. */
export function importProgress(sent: number, total: number): { label: string; fraction: number } {
  return {
    label: `${sent} of ${total} ${total === 1 ? 'line' : 'lines'}`,
    fraction: total === 0 ? 1 : Math.min(1, sent / total),
  };
}
