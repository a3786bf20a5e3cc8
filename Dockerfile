# tenantlink: the Teams bot as a container for Azure App Service or Azure Container Apps.
# Build: docker build -t tenantlink .   Run: docker run --env-file .env -p 3978:3978 tenantlink
# Stage 1 compiles the TypeScript; stage 2 holds production dependencies, the compiled code, the
# cards and the locales, and runs as the unprivileged `node` user. Node.js 24 LTS (package.json
# `engines`: 22.19+, 24, 26); `--omit=optional` leaves out the Node.js that package.json pins for
# machines without a supported one (scripts/runtime.cjs): the image has its own.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=optional --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/runtime.cjs ./scripts/
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    TENANTLINK_MODE=cloud \
    PLAYGROUND=off \
    PORT=3978 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY cards ./cards
COPY locales ./locales
USER node
EXPOSE 3978
# /healthz answers 200 while the instance takes turns; after SIGTERM it stops listening.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM: graceful stop within SHUTDOWN_GRACE_MS + 10 s (App Service and Container Apps wait 30 s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/index.js"]
