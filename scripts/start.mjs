// `npm start`: serves the built app (dist/) on localhost and prints where to open it.
import { preview } from 'vite';

const port = Number(process.env.PORT ?? 4173);
const server = await preview({
  preview: { host: 'localhost', port, strictPort: true, open: false },
});
console.log('\nPamoja is running. Open this address in Chromium or Chrome:');
server.printUrls();
console.log('Press Ctrl+C to stop.\n');

const stop = () => {
  server.httpServer.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
