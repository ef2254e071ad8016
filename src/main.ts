import './ui/app.css';
import { mount } from 'svelte';
import { createClinicApp } from './app/create-app';
import App from './ui/App.svelte';
import StartupFailed from './ui/screens/StartupFailed.svelte';
import { updatePrompt } from './ui/pwa.svelte';
import { Session } from './ui/state/session.svelte';
import { sessionContext } from './ui/state/context';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

try {
  const app = await createClinicApp();
  mount(App, { target, context: sessionContext(new Session(app.service)) });
} catch (error) {
  // No storage (e.g. a private window that refuses IndexedDB): say so instead of a blank page.
  console.error('Pamoja could not start', error);
  mount(StartupFailed, { target, props: { error } });
}
updatePrompt.register();
