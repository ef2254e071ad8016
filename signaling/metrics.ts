export const RECEIVED_TYPES = ['subscribe', 'unsubscribe', 'publish', 'ping', 'other'] as const;
export type ReceivedType = (typeof RECEIVED_TYPES)[number];

export const SENT_TYPES = ['publish', 'pong'] as const;
export type SentType = (typeof SENT_TYPES)[number];

/**
 * Why the server discarded something. Depending on the reason that is one message (oversize,
 * malformed, rate_limited, slow_consumer), one topic subscription (too_many_topics) or one
 * connection (too_many_connections, origin, heartbeat_timeout).
 */
export const DROP_REASONS = [
  'oversize',
  'malformed',
  'rate_limited',
  'too_many_topics',
  'slow_consumer',
  'too_many_connections',
  'heartbeat_timeout',
  'origin',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Why the server itself ended an established WebSocket. */
export const CLOSE_REASONS = [
  'oversize',
  'malformed',
  'rate_limited',
  'slow_consumer',
  'heartbeat_timeout',
  'internal_error',
  'shutdown',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export interface MetricsSnapshot {
  readonly uptimeSeconds: number;
  readonly connectionsCurrent: number;
  readonly connectionsTotal: number;
  readonly topicsCurrent: number;
  readonly messagesReceived: Readonly<Record<ReceivedType, number>>;
  readonly messagesSent: Readonly<Record<SentType, number>>;
  readonly drops: Readonly<Record<DropReason, number>>;
  readonly serverCloses: Readonly<Record<CloseReason, number>>;
}

/** The monotonic counters; gauges are read from live state when a snapshot is taken. */
export interface Counters {
  connectionsTotal: number;
  readonly messagesReceived: Record<ReceivedType, number>;
  readonly messagesSent: Record<SentType, number>;
  readonly drops: Record<DropReason, number>;
  readonly serverCloses: Record<CloseReason, number>;
}

export function createCounters(): Counters {
  return {
    connectionsTotal: 0,
    messagesReceived: zeroed(RECEIVED_TYPES),
    messagesSent: zeroed(SENT_TYPES),
    drops: zeroed(DROP_REASONS),
    serverCloses: zeroed(CLOSE_REASONS),
  };
}

function zeroed<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** Prometheus text exposition format 0.0.4. Every label value is always present, zero or not. */
export function renderPrometheus(snapshot: MetricsSnapshot): string {
  const lines: string[] = [];
  const family = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    samples: readonly (readonly [labels: string, value: number])[],
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const labelled = (label: string, values: Readonly<Record<string, number>>) =>
    Object.entries(values).map(([key, value]) => [`{${label}="${key}"}`, value] as const);

  family('signaling_uptime_seconds', 'gauge', 'Seconds since the server started listening.', [
    ['', snapshot.uptimeSeconds],
  ]);
  family('signaling_connections_current', 'gauge', 'Open WebSocket connections.', [
    ['', snapshot.connectionsCurrent],
  ]);
  family('signaling_connections_total', 'counter', 'WebSocket connections accepted.', [
    ['', snapshot.connectionsTotal],
  ]);
  family('signaling_topics_current', 'gauge', 'Topics with at least one subscriber.', [
    ['', snapshot.topicsCurrent],
  ]);
  family(
    'signaling_messages_received_total',
    'counter',
    'Well-formed messages received, by type.',
    labelled('type', snapshot.messagesReceived),
  );
  family(
    'signaling_messages_sent_total',
    'counter',
    'Messages sent to clients, by type (a publish counts once per receiver).',
    labelled('type', snapshot.messagesSent),
  );
  family(
    'signaling_drops_total',
    'counter',
    'Messages, subscriptions or connections discarded, by reason.',
    labelled('reason', snapshot.drops),
  );
  family(
    'signaling_server_closes_total',
    'counter',
    'WebSocket connections ended by the server, by reason.',
    labelled('reason', snapshot.serverCloses),
  );
  return `${lines.join('\n')}\n`;
}
