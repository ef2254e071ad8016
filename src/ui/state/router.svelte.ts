import { parseHash, hrefOf, type Route } from './routes';

class Router {
  route = $state<Route>({ name: 'home' });

  start(): () => void {
    const read = () => {
      this.route = parseHash(location.hash);
    };
    read();
    window.addEventListener('hashchange', read);
    return () => window.removeEventListener('hashchange', read);
  }

  go(route: Route): void {
    location.hash = hrefOf(route);
  }
}

export const router = new Router();
