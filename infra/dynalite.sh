#!/bin/sh
# Runs dynalite (DynamoDB's API on Node, in memory) in the foreground on loopback for local runs:
#   infra/dynalite.sh [port]      (default 4567; Ctrl-C stops it and its data)
# then point directmx at it with AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:<port>. Tests do not
# use this script: dev.directmx.store.Dynalite starts their own server on a free port.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli="$here/node_modules/dynalite/cli.js"
if [ ! -f "$cli" ]; then
    echo "dynalite is not installed: run \`npm ci --prefix infra\`" >&2
    exit 1
fi
# Tables become active at once instead of after dynalite's default 500 ms.
exec node "$cli" --host 127.0.0.1 --port "${1:-4567}" --createTableMs 0 --deleteTableMs 0 --updateTableMs 0
