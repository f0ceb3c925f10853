#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate` does not need it; migrations are applied by packages/db.
echo "The native Prisma schema engine is not installed; use packages/db's migration runner." >&2
exit 1
