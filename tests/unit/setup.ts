// Every unit test runs against a fresh in-memory IndexedDB, as a browser would provide.
import 'fake-indexeddb/auto';
