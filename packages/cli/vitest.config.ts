import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { name: '@rolegate/cli', include: ['test/**/*.test.ts'], testTimeout: 20_000 } });
