/** Starts one signaling server on a free 127.0.0.1 port for the browser tests. */
import type { TestProject } from 'vitest/node';
import { createSignalingServer } from '../../signaling/server';

declare module 'vitest' {
  export interface ProvidedContext {
    signalingUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createSignalingServer({
    host: '127.0.0.1',
    port: 0,
    // The browser tests open many short-lived peers from one address at a fast pace.
    publishRatePerSecond: 1_000,
    publishBurst: 2_000,
    logger: { log: () => undefined },
  });
  const { host, port } = await server.listen();
  project.provide('signalingUrl', `ws://${host}:${port}`);
  return () => server.close();
}
