import { createRouter } from '../platform/app-env.ts';

/** The catalog service's endpoints (see ../shared/API.md); they arrive with the catalog issue. */
export const catalogRoutes = createRouter();
