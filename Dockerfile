# Breakglass as a container (docs/deploy.md "Drift and schedules"): the same commands as the CLI,
# e.g. `docker run --rm -v "$PWD:/work" -e AZURE_TENANT_ID -e AZURE_CLIENT_ID
# -e AZURE_FEDERATED_TOKEN_FILE breakglass plan --exit-code`. Runs as the unprivileged `node` user.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY emulator ./emulator
COPY bench ./bench
COPY scripts/bundle-cli.mjs ./scripts/
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build, and the build is copied from the first stage
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY src/checks/*.md ./src/checks/
COPY schemas ./schemas
COPY docs ./docs
COPY fixtures/tenants ./fixtures/tenants
USER node
WORKDIR /work
ENTRYPOINT ["node", "/app/dist/bin/breakglass.js"]
CMD ["--help"]
