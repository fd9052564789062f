import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vitest/config';

// The API is served on the same origin in every environment; in `npm run dev`
// the local gateway on :3000 answers it through this proxy.
export default defineConfig({
  plugins: [tailwindcss()],
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
