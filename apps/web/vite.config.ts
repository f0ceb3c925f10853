import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where `pnpm dev` forwards API, auth and console calls (the Rolegate server). */
const API_TARGET = 'http://127.0.0.1:3000';

const proxied = ['/api', '/auth', '/console', '/healthz'] as const;

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP forbids inline scripts and styles: never inline assets
    // into index.html, and keep CSS in a separate file.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
  },
  server: {
    proxy: Object.fromEntries(proxied.map((prefix) => [prefix, { target: API_TARGET }])),
  },
});
