/** Where the app is, as kept in the URL hash so a reload restores it. */
export type AppRoute =
  | { screen: 'projects' }
  /** With a project: opened from that project, which the breadcrumb and "Back" return to. */
  | { screen: 'models'; projectId?: string }
  | { screen: 'project'; projectId: string; clipId?: string; frameIndex?: number }
  | { screen: 'training'; projectId: string };

const idPattern = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Reads `#/projects`, `#/models`, `#/project/<id>`, `#/project/<id>/clip/<clipId>?frame=N`,
 * `#/project/<id>/training` and `#/project/<id>/models`. Anything else (an empty hash, an old or mistyped link) falls back to the project list
 * rather than an error screen.
 */
export function parseHashRoute(hash: string): AppRoute {
  const withoutMark = hash.replace(/^#/, '');
  const [pathPart, queryPart = ''] = withoutMark.split('?', 2);
  const segments = pathPart.split('/').filter(Boolean).map(safeDecode);
  if (segments[0] === 'models' && segments.length === 1) return { screen: 'models' };
  if (segments[0] !== 'project' || !segments[1] || !idPattern.test(segments[1])) return { screen: 'projects' };
  if (segments[2] === 'training' && segments.length === 3) return { screen: 'training', projectId: segments[1] };
  if (segments[2] === 'models' && segments.length === 3) return { screen: 'models', projectId: segments[1] };
  const route: AppRoute = { screen: 'project', projectId: segments[1] };
  if (segments[2] === 'clip' && segments[3] && idPattern.test(segments[3])) {
    route.clipId = segments[3];
    const frameText = new URLSearchParams(queryPart).get('frame');
    if (frameText !== null && /^\d{1,9}$/.test(frameText)) route.frameIndex = Number(frameText);
  }
  return route;
}

export function formatHashRoute(route: AppRoute): string {
  if (route.screen === 'projects') return '#/projects';
  if (route.screen === 'models') return route.projectId ? `#/project/${encodeURIComponent(route.projectId)}/models` : '#/models';
  if (route.screen === 'training') return `#/project/${encodeURIComponent(route.projectId)}/training`;
  let hash = `#/project/${encodeURIComponent(route.projectId)}`;
  if (route.clipId) {
    hash += `/clip/${encodeURIComponent(route.clipId)}`;
    if (route.frameIndex !== undefined) hash += `?frame=${route.frameIndex}`;
  }
  return hash;
}

/** The full URL for a route, keeping the page's path and query: the browser host's `?token=` must survive. */
export function urlWithRoute(location: { pathname: string; search: string }, route: AppRoute): string {
  return `${location.pathname}${location.search}${formatHashRoute(route)}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
