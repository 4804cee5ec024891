# syntax=docker/dockerfile:1
# One production image for both processes (docs/decisions/010-production-shape.md):
#   web:     docker run ... campaign-revenue                          (node server.mjs: the Remix build, = npm start)
#   worker:  docker run ... campaign-revenue node --max-semi-space-size=8 --max-old-space-size=1024 \
#              --no-allocation-site-pretenuring build/worker.js        (= npm run worker; ADR 013 "Worker memory")
#   release: docker run ... campaign-revenue npm run setup            (prisma generate + migrate deploy, before a new version)
# Node itself is PID 1 (not npm), so SIGTERM reaches the process: the web server closes, the worker drains.
# Configuration comes from the environment only (README "Configuration"); the image holds no .env and no secrets.
ARG NODE_VERSION=24

# ---- build: every dependency, then the Remix build and the compiled worker and CLI
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- deps: production dependencies only (no tsx, no vitest, no devDependency Node); postinstall generates the client
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=deps --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/build ./build
COPY --from=build --chown=node:node /app/public ./public
COPY --chown=node:node package.json package-lock.json prisma.config.ts server.mjs ./
COPY --chown=node:node scripts/cli.mjs ./scripts/cli.mjs
# The official image's unprivileged user.
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["node", "server.mjs"]
