/**
 * The catalog's answers that are not JSON (the CSV export, label sheets, the import's CSV body):
 * sent through the session's client (credentials, token refresh), a refusal thrown as the API's
 * ProblemError like any typed call, so a 401 still ends the session.
 */
import { ProblemError } from '@varastokkr/client';
import type { ApiSession } from '../api/api-session';

export function okResponse(session: ApiSession, path: string, init?: RequestInit): Promise<Response> {
  return session.api(async (c) => {
    const response = await c.fetch(path, init);
    if (!response.ok) throw await ProblemError.fromResponse(response);
    return response;
  });
}

/** Hands a file to the browser as a download (the name the person's computer saves it under). */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is no longer needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
