# Core: every service in one process (the Deployment's args may split them with --service).
# Build from the repository root:
#   docker build -f deploy/docker/core.Dockerfile -t varastokkr-core:<version> .
# The same image runs the migration Job (command: bun db/migrate.ts) before core is rolled.
ARG BUN_VERSION=1.4.5

# Production dependencies of the root package only (--filter: not the dashboard's Angular); no
# install scripts (the embedded Postgres and workerd are development tools, never run here).
FROM oven/bun:${BUN_VERSION}-slim AS deps
WORKDIR /app
COPY package.json bun.lock ./
COPY packages/client/package.json packages/client/package.json
COPY web/package.json web/package.json
RUN bun install --frozen-lockfile --production --ignore-scripts --filter varastokkr

FROM oven/bun:${BUN_VERSION}-slim AS runtime
WORKDIR /app
# The code and dependencies stay root's: the process (user bun) can read them, not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY db ./db
COPY core ./core
COPY scripts/healthcheck.ts ./scripts/healthcheck.ts
ENV NODE_ENV=production \
    CORE_HOST=0.0.0.0 \
    CORE_PORT=8788 \
    LOG_LEVEL=info
USER bun
EXPOSE 8788
# Liveness only (the process and its database); readiness (/readyz) is the orchestrator's probe.
# (No --start-period: dockerfilelint 1.8 misreads hyphenated options; 5 tries cover a start.)
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD ["bun", "scripts/healthcheck.ts", "http://127.0.0.1:8788/healthz"]
# core/main.ts drains on SIGTERM: it stops accepting, waits up to 10 s for open requests.
STOPSIGNAL SIGTERM
CMD ["bun", "core/main.ts"]
