# syntax=docker/dockerfile:1
# Davenport: a CalDAV/CardDAV server. Two stages: one with the toolchain that builds the
# native modules (better-sqlite3, bcrypt) and the TypeScript, and a slim one that runs it
# as an unprivileged user with its data in the /data volume.
#
#   docker build -t davenport .
#   docker run -d -p 5233:5233 -v davenport-data:/data -e DAVENPORT_ADMIN_PASSWORD=… davenport
#   docker exec -it <container> davenport user add bob

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# What node-gyp needs when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so a source change does not reinstall them. Scripts are run by
# `npm rebuild` once the sources are there (the `prepare` script compiles them).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm rebuild --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    DAVENPORT_DATA_DIR=/data \
    DAVENPORT_HOST=0.0.0.0
RUN groupadd --system --gid 10001 davenport \
 && useradd --system --uid 10001 --gid davenport --home-dir /data --shell /usr/sbin/nologin davenport \
 && mkdir /data && chown davenport:davenport /data \
 && printf '#!/bin/sh\nexec node /app/dist/cli/main.js "$@"\n' > /usr/local/bin/davenport \
 && chmod 755 /usr/local/bin/davenport
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at run time: defaults, migrations, the web UI's static files.
COPY config ./config
COPY migrations ./migrations
COPY src/web/static ./src/web/static
COPY LICENSE ./
USER davenport
VOLUME ["/data"]
EXPOSE 5233
# The port is DAVENPORT_PORT when it is a number (not Kubernetes' tcp://… service link), else the default.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=/^\\d+$/.test(process.env.DAVENPORT_PORT||'')?process.env.DAVENPORT_PORT:5233;fetch('http://127.0.0.1:'+p+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--heap-growing-percent=10", "--max-semi-space-size=4", "/app/dist/cli/main.js"]
CMD ["serve"]
