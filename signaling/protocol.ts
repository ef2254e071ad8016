import { err, ok, type Result } from '../src/lib/result';

/**
 * y-webrtc's signaling protocol as the server sees it (y-webrtc 10.3.0, bin/server.js):
 * clients subscribe to topics (room names), publish JSON objects to a topic, and ping.
 * Everything in a publish apart from `type` and `topic` is opaque to the server.
 */
export type ClientMessage =
  | { readonly type: 'subscribe'; readonly topics: readonly string[] }
  | { readonly type: 'unsubscribe'; readonly topics: readonly string[] }
  | { readonly type: 'publish'; readonly topic: string; readonly message: Record<string, unknown> }
  | { readonly type: 'ping' }
  /** A well-formed message of a type this server does not know; ignored, as the reference does. */
  | { readonly type: 'other' };

export interface ProtocolIssue {
  /** Where the problem is: `$` for the whole frame, else a field path such as `topics[2]`. */
  readonly field: string;
  readonly rule: 'json' | 'max_depth' | 'object' | 'string' | 'array' | 'non_empty' | 'max_length';
}

export interface ProtocolLimits {
  readonly maxJsonDepth: number;
  readonly maxTopicLength: number;
}

export const PONG = JSON.stringify({ type: 'pong' });

export function parseClientMessage(
  text: string,
  limits: ProtocolLimits,
): Result<ClientMessage, ProtocolIssue> {
  // Checked before JSON.parse so a 10k-deep frame never reaches a recursive algorithm.
  if (exceedsNestingDepth(text, limits.maxJsonDepth)) return err({ field: '$', rule: 'max_depth' });

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return err({ field: '$', rule: 'json' });
  }
  if (!isPlainObject(parsed)) return err({ field: '$', rule: 'object' });

  const type = parsed['type'];
  if (typeof type !== 'string') return err({ field: 'type', rule: 'string' });

  switch (type) {
    case 'subscribe':
    case 'unsubscribe': {
      const topics = parseTopicList(parsed['topics'], limits.maxTopicLength);
      return topics.ok ? ok({ type, topics: topics.value }) : topics;
    }
    case 'publish': {
      const topic = checkTopic(parsed['topic'], 'topic', limits.maxTopicLength);
      return topic.ok ? ok({ type, topic: topic.value, message: parsed }) : topic;
    }
    case 'ping':
      return ok({ type });
    default:
      return ok({ type: 'other' });
  }
}

/**
 * True when `{`/`[` nesting goes deeper than `maxDepth`. A linear scan with a counter: no
 * recursion, so hostile input cannot exhaust the stack. Brackets inside strings do not count.
 * On text that is not JSON the answer may be meaningless, but JSON.parse rejects that anyway.
 */
export function exceedsNestingDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === BACKSLASH) index++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseTopicList(value: unknown, maxLength: number): Result<string[], ProtocolIssue> {
  if (!Array.isArray(value)) return err({ field: 'topics', rule: 'array' });
  const topics: string[] = [];
  for (const [index, entry] of value.entries()) {
    const topic = checkTopic(entry, `topics[${index}]`, maxLength);
    if (!topic.ok) return topic;
    topics.push(topic.value);
  }
  return ok(topics);
}

function checkTopic(
  value: unknown,
  field: string,
  maxLength: number,
): Result<string, ProtocolIssue> {
  if (typeof value !== 'string') return err({ field, rule: 'string' });
  if (value === '') return err({ field, rule: 'non_empty' });
  if (value.length > maxLength) return err({ field, rule: 'max_length' });
  return ok(value);
}
