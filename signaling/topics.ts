/** Which connections are subscribed to which topic. Empty topics are forgotten at once. */
export interface TopicRegistry<Subscriber> {
  add(topic: string, subscriber: Subscriber): void;
  remove(topic: string, subscriber: Subscriber): void;
  subscribers(topic: string): ReadonlySet<Subscriber> | undefined;
  /** Topics with at least one subscriber. */
  readonly size: number;
}

export function createTopicRegistry<Subscriber>(): TopicRegistry<Subscriber> {
  const subscribersByTopic = new Map<string, Set<Subscriber>>();
  return {
    add(topic, subscriber) {
      let subscribers = subscribersByTopic.get(topic);
      if (!subscribers) {
        subscribers = new Set();
        subscribersByTopic.set(topic, subscribers);
      }
      subscribers.add(subscriber);
    },
    remove(topic, subscriber) {
      const subscribers = subscribersByTopic.get(topic);
      if (!subscribers) return;
      subscribers.delete(subscriber);
      if (subscribers.size === 0) subscribersByTopic.delete(topic);
    },
    subscribers(topic) {
      return subscribersByTopic.get(topic);
    },
    get size() {
      return subscribersByTopic.size;
    },
  };
}
