import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console builds to static files the controller serves: assets under /assets, the page at /ui/.
 * Nothing is inlined as script (the controller's CSP is `script-src 'self'`), no CDN, no web fonts.
 */
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
  server: { proxy: { '^/(?!ui(/|$)|assets/|src/|@|node_modules/).+': 'http://127.0.0.1:3000' } },
});
