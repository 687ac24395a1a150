/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The ASP.NET host (src/Web) listens here in development; see its launch settings.
const server = 'http://localhost:5080';

export default defineConfig({
  plugins: [react()],
  build: {
    // The ASP.NET host serves wwwroot as static files and falls back to index.html for client routes.
    outDir: '../wwwroot',
    emptyOutDir: true,
    // ECharts alone is ~500 kB minified even tree-shaken; the default 500 kB warning would fire on every build.
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/api': server,
      '/webhooks': server,
      '/hubs': { target: server, ws: true },
    },
  },
  test: {
    // Pure helpers run in node; component tests opt into jsdom with a @vitest-environment docblock.
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    setupFiles: ['src/test/setup.ts'],
  },
});
