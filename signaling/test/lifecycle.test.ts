import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, createSignalingServer } from '../server';
import { connect, refusedUpgradeStatus, startServer, stopAll, waitUntil } from './helpers';

afterEach(stopAll);

describe('lifecycle', () => {
  it('close() sends 1001 to every client, frees the port and can be called twice', async () => {
    const { url, httpUrl, server } = await startServer();
    const [alice, bob] = await Promise.all([connect(url), connect(url)]);

    await Promise.all([server.close(), server.close()]);

    expect(await alice.closed).toEqual({
      code: CloseCode.goingAway,
      reason: 'server shutting down',
    });
    expect((await bob.closed).code).toBe(CloseCode.goingAway);
    expect(server.metrics().serverCloses.shutdown).toBe(2);
    await expect(fetch(`${httpUrl}/healthz`)).rejects.toThrow();
    await expect(server.listen()).rejects.toThrow('only be started once');
  });

  it('close() does not wait forever for a client that ignores the close handshake', async () => {
    const { url, server } = await startServer({ closeGraceMs: 100 });
    const frozen = await connect(url);
    frozen.socket.pause();
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.metrics().connectionsCurrent).toBe(0);
  });

  it('close() before listen() resolves at once', async () => {
    await createSignalingServer({ logger: { log: () => undefined } }).close();
  });

  it('listen() rejects when the port is taken', async () => {
    const { url } = await startServer();
    const port = Number(new URL(url).port);
    const second = createSignalingServer({ port, logger: { log: () => undefined } });
    await expect(second.listen()).rejects.toThrow(/EADDRINUSE/);
  });

  it('logs structured events for connections and violations', async () => {
    const { url, logs } = await startServer();
    const client = await connect(url);
    client.sendRaw('not json');
    await client.closed;
    await waitUntil(() => logs.some((record) => record.event === 'connection_closed'));

    const events = logs.map((record) => record.event);
    expect(events).toEqual(
      expect.arrayContaining([
        'listening',
        'connection_opened',
        'connection_closing',
        'connection_closed',
      ]),
    );
    const closing = logs.find((record) => record.event === 'connection_closing');
    expect(closing).toMatchObject({
      level: 'warn',
      fields: { reason: 'malformed', code: CloseCode.invalidPayload, address: '127.0.0.1' },
    });
  });

  it('with trustProxy, the per-address limit counts the X-Forwarded-For client, not the proxy', async () => {
    const { url } = await startServer({ trustProxy: true, maxConnectionsPerAddress: 1 });
    const viaProxy = (client: string) => ({
      headers: { 'X-Forwarded-For': `198.51.100.9, ${client}` },
    });
    await connect(url, viaProxy('203.0.113.1'));
    await connect(url, viaProxy('203.0.113.2'));
    expect(await refusedUpgradeStatus(url, viaProxy('203.0.113.1'))).toBe(429);
  });

  it('without trustProxy, X-Forwarded-For is ignored', async () => {
    const { url } = await startServer({ maxConnectionsPerAddress: 1 });
    await connect(url, { headers: { 'X-Forwarded-For': '203.0.113.1' } });
    expect(await refusedUpgradeStatus(url, { headers: { 'X-Forwarded-For': '203.0.113.2' } })).toBe(
      429,
    );
  });
});
