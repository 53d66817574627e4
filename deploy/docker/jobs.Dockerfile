# The jobs runner (graphile-worker: the outbox's events, webhooks, the room feed, cron).
# Build from the repository root:
#   docker build -f deploy/docker/jobs.Dockerfile -t varastokkr-jobs:<version> .
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
COPY jobs ./jobs
COPY scripts/healthcheck.ts ./scripts/healthcheck.ts
# JOBS_HEALTH_PORT: the runner's own /healthz (200 while its runners run), for the checks below.
ENV NODE_ENV=production \
    JOBS_HEALTH_HOST=0.0.0.0 \
    JOBS_HEALTH_PORT=8789 \
    LOG_LEVEL=info
USER bun
EXPOSE 8789
# (No --start-period: dockerfilelint 1.8 misreads hyphenated options; 5 tries cover a start.)
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD ["bun", "scripts/healthcheck.ts", "http://127.0.0.1:8789/healthz"]
# jobs/main.ts lets running jobs finish on SIGTERM before it exits.
STOPSIGNAL SIGTERM
CMD ["bun", "jobs/main.ts"]
