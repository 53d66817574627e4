/**
 * The byte-level steps of a CSV import before csv-parse sees the file: line endings made LF, so
 * reported line numbers are right, and a size limit that fails the stream with a 413.
 */
import { PayloadTooLargeError } from '../platform/problem.ts';

/**
 * CRLF to LF, bytes in and out (a CR at a chunk's end waits for the next chunk). csv-parse
 * miscounts lines when a quoted field holds a CRLF, and the line numbers must be right.
 */
export function crlfToLf(): TransformStream<Uint8Array, Uint8Array> {
  let pendingCr = false;
  return new TransformStream({
    transform(chunk, controller) {
      const out = new Uint8Array(chunk.length + 1);
      let n = 0;
      if (pendingCr && chunk[0] !== 10) out[n++] = 13;
      pendingCr = false;
      // Copies the runs between CRs; a CR before LF is dropped, a lone one kept, a last one waits.
      let from = 0;
      for (let cr = chunk.indexOf(13); cr !== -1; cr = chunk.indexOf(13, from)) {
        out.set(chunk.subarray(from, cr), n);
        n += cr - from;
        from = cr + 1;
        if (cr === chunk.length - 1) pendingCr = true;
        else if (chunk[cr + 1] !== 10) out[n++] = 13;
      }
      out.set(chunk.subarray(from), n);
      n += chunk.length - from;
      controller.enqueue(out.subarray(0, n));
    },
    flush(controller) {
      if (pendingCr) controller.enqueue(new Uint8Array([13]));
    },
  });
}

/** Passes bytes through until there are more than maxBytes, then fails the stream with 413. */
export function byteLimit(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(new PayloadTooLargeError(maxBytes));
      else controller.enqueue(chunk);
    },
  });
}
