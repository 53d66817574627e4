/** The request id header that ties edge, core and job logs together. */
export const REQUEST_ID_HEADER = 'x-request-id';

const sane = /^[A-Za-z0-9._:-]{8,128}$/;

export const isSaneRequestId = (id: string) => sane.test(id);

/** The caller's id when it is safe to log and echo; a fresh one otherwise. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming && isSaneRequestId(incoming) ? incoming : crypto.randomUUID();
}
