import { createRouter } from '../platform/app-env.ts';

/** The integrations service's endpoints (see ../shared/API.md); they arrive with the integrations issue. */
export const integrationsRoutes = createRouter();
