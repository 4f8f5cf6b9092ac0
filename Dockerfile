# syntax=docker/dockerfile:1
# Seat Steward: compiled in one stage, run from another with production dependencies only.
#   docker build -t seat-steward .
#   docker run -d --name seat-steward -p 3978:3978 --env-file seat-steward.env -v seat-steward-data:/app/data seat-steward

ARG NODE_IMAGE=node:20-bookworm-slim

# better-sqlite3 compiles its native module where no prebuilt binary matches: give it a toolchain.
# Only the stages that install packages have it; the runtime image does not.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc answers yes to the npx that a dependency's install script runs.
COPY package.json package-lock.json .npmrc ./

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY cards ./cards
COPY demo-tenant ./demo-tenant
COPY src ./src
RUN npm run build

FROM toolchain AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 passes SIGTERM on to node and reaps orphaned processes (with the demo tenant, node restarts itself once as its own child).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3978 \
    PLAYGROUND=off
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# DATA_DIR defaults to ./data: the SQLite cache, the sealed tenant secrets, the demo certificate.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The heap cap keeps V8 from growing the main thread's heap to hold garbage (README "Benchmarks": peak RSS).
CMD ["node", "--max-old-space-size=256", "dist/main.js"]
