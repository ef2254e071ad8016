/**
 * The search box and its results. Typing runs the search after a short pause; any stored
 * change (a record arriving from a peer) runs it again so the list never goes stale.
 */
import type { ClinicService, SearchHit } from '../../app/views';

const pauseMs = 150;

export class SearchState {
  query = $state('');
  hits = $state<SearchHit[]>([]);
  searching = $state(false);
  /** The query the current hits answer, so "no results" is not shown for a newer query. */
  answered = $state('');
  #run = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly service: ClinicService) {}

  /** Start listening for changes; returns the stop function (use inside `$effect`). */
  connect(): () => void {
    const off = this.service.onChange(() => void this.refresh());
    return () => {
      off();
      clearTimeout(this.#timer);
    };
  }

  type(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh(), pauseMs);
  }

  async refresh(): Promise<void> {
    const run = ++this.#run;
    const query = this.query.trim();
    if (query === '') {
      this.hits = [];
      this.answered = '';
      this.searching = false;
      return;
    }
    this.searching = true;
    try {
      const hits = await this.service.search(query);
      // Answers can arrive out of order; only the newest question's answer is shown.
      if (run !== this.#run) return;
      this.hits = hits;
      this.answered = query;
    } catch (error) {
      console.error('Search failed', error);
    } finally {
      if (run === this.#run) this.searching = false;
    }
  }
}
