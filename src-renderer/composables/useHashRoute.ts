import { onBeforeUnmount, readonly, ref } from 'vue';
import { parseHashRoute, urlWithRoute, type AppRoute } from '../utils/hashRoute.ts';

/**
 * The app's route, kept in `location.hash` so a reload restores the open project, clip and frame. Changes are
 * written with the History API (not `location.hash =`) so the page's `?token=` query stays in the URL.
 */
export function useHashRoute() {
  const route = ref<AppRoute>(parseHashRoute(window.location.hash));
  const onHashChange = () => {
    route.value = parseHashRoute(window.location.hash);
  };
  window.addEventListener('hashchange', onHashChange);
  onBeforeUnmount(() => window.removeEventListener('hashchange', onHashChange));

  /** `replace` for changes that should not fill the Back history (the frame moving while scrubbing). */
  function navigate(next: AppRoute, options: { replace?: boolean } = {}): void {
    const url = urlWithRoute(window.location, next);
    if (options.replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    route.value = next;
  }

  return { route: readonly(route), navigate };
}
