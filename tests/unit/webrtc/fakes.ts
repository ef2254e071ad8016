/**
 * Node stand-ins for the browser pieces the WebRTC transport uses: a signaling socket the test
 * feeds sealed messages into, and an RTCPeerConnection that negotiates nothing but counts how
 * many are alive (and can refuse, like Chromium past its cap or with a bad ICE server URL).
 */
import type { SignalingSocket } from '../../../src/sync/webrtc/signaling-client';
import { sealJson, type NetworkKeys } from '../../../src/sync/webrtc/network-keys';
import { randomHex } from '../../../src/lib/random-hex';

export class FakeSocket implements SignalingSocket {
  readyState = 0;
  readonly sent: string[] = [];
  onopen: ((event: never) => unknown) | null = null;
  onclose: ((event: never) => unknown) | null = null;
  onerror: ((event: never) => unknown) | null = null;
  onmessage: ((event: never) => unknown) | null = null;

  constructor(readonly url: string) {
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.({} as never);
    });
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.readyState = 3;
  }

  /** Delivers a publish on `keys.topic` carrying `inner`, sealed as a peer would. */
  async publish(keys: NetworkKeys, inner: Record<string, unknown>): Promise<void> {
    const data = await sealJson(keys, { mid: randomHex(16), ...inner });
    (this.onmessage as ((event: { data: string }) => void) | null)?.({
      data: JSON.stringify({ type: 'publish', topic: keys.topic, data }),
    });
  }
}

export interface FakePeerConnections {
  readonly Class: typeof RTCPeerConnection;
  created(): number;
  live(): number;
  /** The most that were alive at once. */
  maxLive(): number;
}

/**
 * `refuse(config, live)` returning an error makes the constructor throw it, as Chromium does.
 */
export function fakePeerConnections(
  refuse: (config: RTCConfiguration | undefined, live: number) => Error | undefined = () =>
    undefined,
): FakePeerConnections {
  let created = 0;
  let live = 0;
  let maxLive = 0;
  class FakeDataChannel {
    binaryType = 'blob';
    readyState = 'connecting';
    bufferedAmount = 0;
    bufferedAmountLowThreshold = 0;
    onopen: (() => void) | null = null;
    onclose: (() => void) | null = null;
    onmessage: (() => void) | null = null;
    onbufferedamountlow: (() => void) | null = null;
    send(): void {}
    close(): void {
      this.readyState = 'closed';
    }
  }
  class FakePeerConnection {
    connectionState = 'new';
    onicecandidate: (() => void) | null = null;
    onconnectionstatechange: (() => void) | null = null;
    private closed = false;
    constructor(config?: RTCConfiguration) {
      const refusal = refuse(config, live);
      if (refusal) throw refusal;
      created += 1;
      live += 1;
      maxLive = Math.max(maxLive, live);
    }
    createDataChannel(): FakeDataChannel {
      return new FakeDataChannel();
    }
    localDescription: RTCSessionDescriptionInit | null = null;
    remoteDescription: RTCSessionDescriptionInit | null = null;
    /** Each fake has its own certificate fingerprint, as a real connection does (CB2). */
    private readonly fingerprint = `a=fingerprint:sha-256 ${(created + 0x10).toString(16).padStart(2, '0').slice(-2).toUpperCase()}:AB:CD`;
    createOffer(): Promise<RTCSessionDescriptionInit> {
      return Promise.resolve({ type: 'offer', sdp: `v=0 fake offer\r\n${this.fingerprint}` });
    }
    createAnswer(): Promise<RTCSessionDescriptionInit> {
      return Promise.resolve({ type: 'answer', sdp: `v=0 fake answer\r\n${this.fingerprint}` });
    }
    setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void> {
      this.localDescription = description ?? { type: 'offer', sdp: `v=0\r\n${this.fingerprint}` };
      return Promise.resolve();
    }
    setRemoteDescription(description?: RTCSessionDescriptionInit): Promise<void> {
      this.remoteDescription = description?.sdp?.includes('a=fingerprint:')
        ? description
        : { type: 'answer', sdp: 'v=0\r\na=fingerprint:sha-256 EE:EE:EE' };
      return Promise.resolve();
    }
    addIceCandidate(): Promise<void> {
      return Promise.resolve();
    }
    close(): void {
      if (this.closed) return;
      this.closed = true;
      this.connectionState = 'closed';
      live -= 1;
    }
  }
  return {
    Class: FakePeerConnection as unknown as typeof RTCPeerConnection,
    created: () => created,
    live: () => live,
    maxLive: () => maxLive,
  };
}

/** Chromium's refusal of an ICE server URL it cannot parse. */
export function refuseBadIceUrls(config: RTCConfiguration | undefined): Error | undefined {
  for (const server of config?.iceServers ?? []) {
    for (const url of [server.urls].flat()) {
      if (!/^(stun|stuns|turn|turns):/.test(url)) {
        return new DOMException(`Failed to construct 'RTCPeerConnection': ${url}`, 'SyntaxError');
      }
    }
  }
  return undefined;
}
