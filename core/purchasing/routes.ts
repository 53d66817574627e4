import { createRouter } from '../app-env.ts';

/** The purchasing service's endpoints (see ../shared/API.md); they arrive with the purchasing issue. */
export const purchasingRoutes = createRouter();
