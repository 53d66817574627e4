import { createRouter } from '../platform/http.ts';

/** The catalog service's endpoints (see ../shared/API.md); they arrive with the catalog issue. */
export const catalogRoutes = createRouter();
