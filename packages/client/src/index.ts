/**
 * @varastokkr/client: a typed client for the Varastokkr API. HTTP through openapi-fetch over
 * types generated from the OpenAPI document, and the live warehouse rooms over WebSocket.
 */
export type { components, operations, paths } from './api.js';
export {
  type Answer,
  type ClientOptions,
  type Credentials,
  createClient,
  type PathsWith,
  type RoomOptions,
  type TypedMethod,
  type VarastokkrClient,
} from './http-client.js';
export { type FieldError, type Problem, ProblemError, REQUEST_ID_HEADER } from './problem.js';
export type {
  RoomAuthMessage,
  RoomClientMessage,
  RoomErrorMessage,
  RoomEventMessage,
  RoomLevel,
  RoomMessage,
  RoomPongMessage,
  RoomSnapshotMessage,
  RoomStockMessage,
} from './room-messages.js';
export { MAX_WATCHED_SKUS, roomCloseCodes } from './room-messages.js';
export {
  connectRoom,
  type RoomClose,
  type RoomCloseKind,
  RoomSocket,
  type RoomSocketEvents,
  type RoomSocketOptions,
  type TokenNeed,
} from './room-socket.js';
export type { SavedTokens, TokenPair, User } from './session.js';
