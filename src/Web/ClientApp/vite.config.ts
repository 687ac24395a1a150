/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// The ASP.NET host (src/Web) listens here in development; see its launch settings.
const server = 'http://localhost:5080';

export default defineConfig({
  plugins: [
    react(),
    // Installable app: the manifest (linked into index.html), and our own service worker (src/sw.ts) given the list of
    // built files to keep for offline starts. Registration is ours too (lib/pwa/offline.ts), production builds only.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['icons/apple-touch-icon-180.png'],
      manifest: {
        name: 'SalesDash — live sales',
        short_name: 'SalesDash',
        description: 'Live sales across every channel of your stores.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        // The branding defaults (features/branding/branding.ts SALESDASH.primaryColour); a white-label colour is applied at run time.
        theme_color: '#1f6feb',
        background_color: '#0d1117',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        // The whole shell, lazy pages included, so any page opens offline; ECharts alone is ~1 MB.
        globPatterns: ['**/*.{js,css,html,png,svg,ico,webmanifest}'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
      },
    }),
  ],
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
