/**
 * `npm start`: serves the built app (dist/) on localhost together with a local signaling server,
 * and prints where to open it. The app's default signaling URL points at this server.
 */
import { preview } from 'vite';
import { createJsonLogger } from '../signaling/logger';
import { createSignalingServer } from '../signaling/server';

const appPort = Number(process.env.PORT ?? 4173);
const signalingPort = Number(process.env.SIGNALING_PORT ?? 4444);

const signaling = createSignalingServer({
  host: '127.0.0.1',
  port: signalingPort,
  logger: createJsonLogger({ minLevel: 'warn' }),
});
const { host, port } = await signaling.listen();
const app = await preview({
  preview: { host: 'localhost', port: appPort, strictPort: true, open: false },
});

console.log('\nPamoja is running. Open this address in Chromium or Chrome:');
app.printUrls();
console.log(
  `  Signaling server: ws://${host}:${port} (introduces devices; carries no patient data)`,
);
console.log('Press Ctrl+C to stop.\n');

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  app.httpServer.close();
  signaling.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
