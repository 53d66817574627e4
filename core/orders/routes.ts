import { createRouter } from '../platform/app-env.ts';

/** The orders service's endpoints (see ../shared/API.md); they arrive with the orders issue. */
export const ordersRoutes = createRouter();
