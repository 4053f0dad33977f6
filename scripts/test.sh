#!/usr/bin/env bash
# The whole test suite: unit + integration (Vitest, real PostgreSQL) and end-to-end (Playwright, Debian chromium).
# Integration tests run on the embedded PostgreSQL, and again on a PostgreSQL server when TEST_DATABASE_URL is set.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
rm -f .tmp/*.json

bash scripts/ensure-browser.sh || { echo "could not install chromium and fonts-noto-cjk"; echo "0 passed, 1 failed"; exit 1; }

status=0
echo "== unit + integration tests (embedded PostgreSQL)"
env -u TEST_DATABASE_URL npx vitest run --reporter=default --reporter=json --outputFile=.tmp/vitest-embedded.json || status=1

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== integration tests (PostgreSQL server: ${TEST_DATABASE_URL%%@*}@…)"
  # Only what talks to the database (*.int.test.*): unit tests do not care which PostgreSQL runs. The fault tests
  # and the embedded lifecycle test start their own embedded PostgreSQL or child servers whatever the URL says,
  # so a second pass would repeat them exactly.
  npx vitest run .int.test. --exclude 'src/server/faults/**' --exclude '**/embedded.int.test.ts' \
    --reporter=default --reporter=json --outputFile=.tmp/vitest-server.json || status=1
fi

if ls e2e/*.spec.ts >/dev/null 2>&1; then
  echo "== end-to-end tests (chromium)"
  npm run build:web --silent || status=1
  PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/playwright.json npx playwright test --reporter=list,json || status=1
fi

node scripts/count-results.mjs .tmp || status=1
exit $status
