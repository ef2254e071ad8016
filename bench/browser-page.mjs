// What every browser benchmark needs: its page entry bundled by Vite (with the one copy of yjs
// the app ships) and a static server on loopback to load it from.
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Bundles `entry` (relative to the repository) into `dir` with an index.html that loads it. */
export async function bundleBenchPage(entry, dir, title) {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    resolve: { dedupe: ['yjs'] },
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: dir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: join(root, entry), formats: ['es'], fileName: () => 'bench.js' },
    },
  });
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="/bench.js"></script>`,
  );
}

/** Serves `dir` on 127.0.0.1 at a free port; resolves with the server and its base URL. */
export function serveDirectory(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((request, response) => {
    const path = request.url === '/' ? '/index.html' : (request.url ?? '/');
    readFile(join(dir, path.replace(/\.\./g, '')))
      .then((body) => {
        const type = types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
        response.writeHead(200, { 'content-type': type }).end(body);
      })
      .catch(() => response.writeHead(404).end());
  });
  return new Promise((listening) =>
    server.listen(0, '127.0.0.1', () =>
      listening({ server, url: `http://127.0.0.1:${server.address().port}/` }),
    ),
  );
}
