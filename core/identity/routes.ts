import { createRouter } from '../app-env.ts';
import { apiKeyRoutes } from './api-key-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { userRoutes } from './user-routes.ts';

/** The identity service: /api/auth/*, /api/users/*, /api/api-keys/*, /.well-known/jwks.json. */
export const identityRoutes = createRouter()
  .route('/', authRoutes)
  .route('/', userRoutes)
  .route('/', apiKeyRoutes);
