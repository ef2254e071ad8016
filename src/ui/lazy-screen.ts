/**
 * The cache behind LazyScreen: a screen fetched once renders at once on a later visit.
 */
import type { Component } from 'svelte';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyComponent = Component<any>;
export type ScreenLoader = () => Promise<{ default: AnyComponent }>;

// A plain cache: nothing renders from it directly (a $state change signals arrival).
export const fetched = new Map<ScreenLoader, AnyComponent>();

/** Fetches a screen ahead of showing it (a test's server render, which runs no effects). */
export async function fetchScreen(load: ScreenLoader): Promise<void> {
  fetched.set(load, (await load()).default);
}
