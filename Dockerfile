# The billing engine's production image: one image for every role (ROLE=api, worker or all) and for
# the migrations (`node dist/src/cli/migrate.js`). docker-compose.yml (profile `app`) shows the wiring;
# docs/deploy.md says how to run it. No secret is baked in: configuration comes from the environment.
#
# Stage 1 compiles TypeScript with every dependency; stage 2 holds production dependencies and the
# built code only (the same folders as package.json `files`, which test/deploy/package.int.test.ts
# installs and starts with each role).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.usage-client.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/migrations ./dist/migrations
# The image's own unprivileged user; the code only reads its files.
USER node
EXPOSE 3000
# What `npm run start:prod` runs, without npm: in exec form node is PID 1 and receives SIGTERM itself,
# then drains (SHUTDOWN_TIMEOUT_MS) and exits.
CMD ["node", "dist/src/main.js"]
