import { createRouter } from '../platform/http.ts';

/** The identity service's endpoints (see ../shared/API.md); they arrive with the identity issue. */
export const identityRoutes = createRouter();
