import { defineConfig } from 'vitest/config';

// Unit tests of the web app's logic (form rules, filters, routes, formats): pure functions, no DOM.
// The screens themselves are tested in a real browser by apps/api/test/browser-*.test.ts.
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
