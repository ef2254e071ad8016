// Every unit test runs against a fresh in-memory IndexedDB, as a browser would provide.
import 'fake-indexeddb/auto';

// Screens render in tests without going through their loaders (screens.ts): the English strings
// those loaders fetch (en-screens.ts) are in place from the start.
import { enScreens } from '../../src/ui/i18n/en-screens';
import { addEnglishSections } from '../../src/ui/i18n/i18n.svelte';
addEnglishSections(enScreens);
