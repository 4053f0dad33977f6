import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { type Benchmark, figure, round } from '../lib/types.js';

/**
 * JavaScript a browser downloads before the first screen: the entry chunk of index.html and every chunk it
 * imports statically (lazy screens excluded), gzip-compressed, from a production build into a temporary
 * folder. Budget: 300 kB. No baseline: the figure is absolute. Scale is unused.
 */
interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

export const webFirstLoad: Benchmark = {
  name: 'web-first-load',
  description: 'gzip JavaScript (and CSS) loaded before the first screen of the web app (budget 300 kB JS)',
  defaultScale: 1,
  async run(ctx) {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-web-build-'));
    try {
      await build({ configFile: path.resolve('vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
      const manifest = JSON.parse(fs.readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
      const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
      if (!entry) throw new Error('no entry chunk in the manifest');
      const seen = new Set<string>();
      const css = new Set<string>();
      const visit = (key: string) => {
        if (seen.has(key)) return;
        seen.add(key);
        const chunk = manifest[key] as ManifestChunk;
        for (const c of chunk.css ?? []) css.add(c);
        for (const i of chunk.imports ?? []) visit(i);
      };
      visit(entry);
      const gz = (file: string) => gzipSync(fs.readFileSync(path.join(outDir, file)), { level: 9 }).length;
      const js = [...seen].reduce((sum, k) => sum + gz((manifest[k] as ManifestChunk).file), 0);
      const styles = [...css].reduce((sum, f) => sum + gz(f), 0);
      const all = Object.values(manifest).reduce((sum, c) => sum + (c.file.endsWith('.js') ? gz(c.file) : 0), 0);
      ctx.log(
        `first screen: ${seen.size} JS chunks, ${(js / 1024).toFixed(1)} kB gzip; CSS ${(styles / 1024).toFixed(1)} kB; all JS ${(all / 1024).toFixed(1)} kB`,
      );
      return [
        figure({ figure: 'JS before first screen (gzip)', value: round(js / 1024, 1), unit: 'kB', baseline: null, scale: 1 }),
        figure({ figure: 'CSS before first screen (gzip)', value: round(styles / 1024, 1), unit: 'kB', baseline: null, scale: 1 }),
        figure({ figure: 'all JS chunks (gzip)', value: round(all / 1024, 1), unit: 'kB', baseline: null, scale: 1 }),
      ];
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  },
};
