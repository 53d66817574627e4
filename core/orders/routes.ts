import { createRouter } from '../platform/http.ts';

/** The orders service's endpoints (see ../shared/API.md); they arrive with the orders issue. */
export const ordersRoutes = createRouter();
