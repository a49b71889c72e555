// Vite build of the designer UI: root renderer/, output dist/renderer, relative base so it loads from file:// in Electron too.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  // es2021: private class fields (a dependency's #listeners) are lowered, so the Electron security scan can parse the bundle.
  build: { outDir: path.join(here, '../dist/renderer'), emptyOutDir: true, chunkSizeWarningLimit: 4000, target: 'es2021' },
  // The renderer imports the shared model (../app) and the built-in topologies (../assets).
  server: { fs: { allow: [path.join(here, '..')] } },
});
