import './ui/app.css';
import { mount } from 'svelte';
import { createClinicApp } from './app/create-app';
import { takeOpenedInvite } from './app/network-trust';
import App from './ui/App.svelte';
import StartupFailed from './ui/screens/StartupFailed.svelte';
import { updatePrompt } from './ui/pwa.svelte';
import { initialLanguage, loadLanguage } from './ui/i18n/i18n.svelte';
import { Session } from './ui/state/session.svelte';
import { sessionContext, withReports } from './ui/state/context';

/**
 * Offered when a device joins a network: the build's servers (VITE_SIGNALING_URLS, separated by
 * spaces or commas), else the one `npm start` runs beside the app on port 4444.
 */
function defaultSignalingUrls(): string[] {
  const configured = (import.meta.env.VITE_SIGNALING_URLS as string | undefined) ?? '';
  const urls = configured.split(/[\s,]+/).filter((url) => url.length > 0);
  if (urls.length > 0) return urls;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return [`${scheme}://${location.hostname}:4444`];
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

/** After the first screen is painted: a frame to paint, then a task after it. */
function afterFirstPaint(run: () => void): void {
  requestAnimationFrame(() => setTimeout(run, 0));
}

try {
  // The language this device most likely speaks is fetched while storage opens.
  void loadLanguage(initialLanguage());
  // I10: an invite's secrets leave the address bar before anything else runs.
  const openedInvite = takeOpenedInvite(location, history);
  const app = await createClinicApp({
    defaultSignalingUrls: defaultSignalingUrls(),
    appUrl: `${location.origin}${location.pathname}`,
    ...(openedInvite ? { openedInvite } : {}),
  });
  // I10: a link opened in a tab where the app already runs changes only the fragment. This
  // listener is registered before the router's, so the secret is gone before any screen reads it.
  window.addEventListener('hashchange', () => {
    const link = takeOpenedInvite(location, history);
    if (link) app.network.setOpenedInvite(link);
  });
  // Kiswahili, when it is the profile's language, is in before the first screen is drawn.
  const language = app.service.profile()?.language;
  if (language) await loadLanguage(language).catch(() => undefined);
  mount(App, {
    target,
    context: withReports(
      sessionContext(new Session(app.service, app.network), app.care),
      app.reports,
    ),
  });
  // Replication, pruning and their bulk reads of storage wait for the first screen.
  afterFirstPaint(() => app.startBackground());
} catch (error) {
  // No storage (e.g. a private window that refuses IndexedDB): say so instead of a blank page.
  console.error('Pamoja could not start', error);
  mount(StartupFailed, { target, props: { error } });
}
afterFirstPaint(() => void updatePrompt.register());
