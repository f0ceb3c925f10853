# syntax=docker/dockerfile:1
# Rolegate service image.
#   build    — full install (dev dependencies too), Prisma client, web build
#   prod     — production dependencies only (pnpm install --prod)
#   runtime  — prod node_modules + sources + generated client + web build,
#              tsx (pinned) to run the TypeScript sources, non-root user 1000
# Build: docker build -t rolegate .

ARG NODE_IMAGE=node:24-bookworm-slim
ARG PNPM_VERSION=12.4.2
ARG TSX_VERSION=4.23.15

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
 && pnpm --filter @rolegate/web run build

FROM manifests AS prod
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile --prod

FROM ${NODE_IMAGE} AS runtime
ARG TSX_VERSION
# tsx runs the TypeScript sources (packages export src/*.ts; there is no JS build).
RUN npm install -g tsx@${TSX_VERSION} && npm cache clean --force
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/tmp/rolegate
WORKDIR /app
COPY --from=prod /app /app
COPY --from=build /app/package.json /app/tsconfig.base.json ./
COPY --from=build /app/apps/api/src apps/api/src
COPY --from=build /app/apps/api/tsconfig.json apps/api/
COPY --from=build /app/apps/web/dist apps/web/dist
COPY --from=build /app/packages/aws-names/src packages/aws-names/src
COPY --from=build /app/packages/core/src packages/core/src
COPY --from=build /app/packages/contract/src packages/contract/src
COPY --from=build /app/packages/db/src packages/db/src
# Loaded only in demo mode (ROLEGATE_DEMO=1); production never imports them.
COPY --from=build /app/packages/aws-emulator/src packages/aws-emulator/src
COPY --from=build /app/packages/dev-idp/src packages/dev-idp/src
COPY --from=build /app/prisma prisma
# Root-owned and read-only for the service user; it writes only to /tmp.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["tsx", "apps/api/src/main.ts"]
