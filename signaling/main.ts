/**
 * CLI entry: `npx tsx signaling/main.ts`. Configuration comes from the environment
 * (HOST, PORT, SIGNALING_*, ALLOWED_ORIGINS, TRUST_PROXY, LOG_LEVEL; see signaling/README.md).
 */
import { configFromEnv } from './env';
import { createJsonLogger } from './logger';
import { createSignalingServer, type SignalingServer } from './server';

async function main(): Promise<number> {
  const config = configFromEnv(process.env);
  if (!config.ok) {
    createJsonLogger().log('error', 'invalid_config', { issues: config.error });
    return 1;
  }
  const logger = createJsonLogger({ minLevel: config.value.logLevel });

  let server: SignalingServer;
  try {
    server = createSignalingServer({ ...config.value.options, logger });
    await server.listen();
  } catch (error) {
    logger.log('error', 'startup_failed', {
      error: error instanceof Error ? error.message : String(error),
    });
    return 1;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means the operator does not want to wait for the close handshakes.
      logger.log('warn', 'forced_exit', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.log('info', 'signal_received', { signal });
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.log('error', 'shutdown_failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return 0;
}

process.exitCode = await main();
