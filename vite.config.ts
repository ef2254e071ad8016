import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

// The app shell is precached so a device that has opened Pamoja once keeps working with no
// network at all (docs/decisions/0006-pwa-service-worker.md).
export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      // The DHIS2 mapping a district edits (issue 10 point 9): the export works offline too.
      includeAssets: ['icons/*.svg', 'icons/*.png', 'dhis2-mapping.json'],
      manifest: {
        id: '/',
        name: 'Pamoja CTC',
        short_name: 'Pamoja',
        description: 'Offline-first patient records for HIV care and treatment clinics',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#0b6e4f',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: '/icons/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  resolve: {
    // One copy of yjs in the bundle: two copies break `instanceof` checks inside Yjs.
    dedupe: ['yjs'],
  },
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
