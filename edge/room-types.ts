/**
 * The warehouse room's data as the worker, the jobs runner and clients see it: defined once in
 * core/platform/room-contract.ts (which jobs may import too), named here for the edge's files.
 */
export * from '../core/platform/room-contract.ts';
