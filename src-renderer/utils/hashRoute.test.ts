import { describe, expect, it } from 'vitest';
import { formatHashRoute, parseHashRoute, urlWithRoute } from './hashRoute.ts';

describe('hash routes', () => {
  it('reads a project, its clip and the frame index', () => {
    expect(parseHashRoute('#/project/p_1/clip/c-2?frame=17')).toEqual({
      screen: 'project',
      projectId: 'p_1',
      clipId: 'c-2',
      frameIndex: 17,
    });
  });

  it('reads a project without a clip', () => {
    expect(parseHashRoute('#/project/abc')).toEqual({ screen: 'project', projectId: 'abc' });
  });

  it('reads the models screen and a project\'s training screen', () => {
    expect(parseHashRoute('#/models')).toEqual({ screen: 'models' });
    expect(parseHashRoute('#/project/p_1/training')).toEqual({ screen: 'training', projectId: 'p_1' });
  });

  it('keeps the project the models screen was opened from, both ways', () => {
    expect(parseHashRoute('#/project/p_1/models')).toEqual({ screen: 'models', projectId: 'p_1' });
    expect(formatHashRoute({ screen: 'models', projectId: 'p_1' })).toBe('#/project/p_1/models');
    expect(formatHashRoute({ screen: 'models' })).toBe('#/models');
  });

  it('treats extra segments after models or training as an ordinary project link or the list', () => {
    expect(parseHashRoute('#/models/x')).toEqual({ screen: 'projects' });
    expect(parseHashRoute('#/project/p/training/x')).toEqual({ screen: 'project', projectId: 'p' });
  });

  it('falls back to the project list for an empty, unknown or malformed hash', () => {
    expect(parseHashRoute('')).toEqual({ screen: 'projects' });
    expect(parseHashRoute('#/settings')).toEqual({ screen: 'projects' });
    expect(parseHashRoute('#/project/')).toEqual({ screen: 'projects' });
    expect(parseHashRoute('#/project/a%2Fb')).toEqual({ screen: 'projects' });
  });

  it('ignores a frame that is not a whole non-negative number', () => {
    expect(parseHashRoute('#/project/p/clip/c?frame=-3')).toEqual({ screen: 'project', projectId: 'p', clipId: 'c' });
    expect(parseHashRoute('#/project/p/clip/c?frame=2.5')).toEqual({ screen: 'project', projectId: 'p', clipId: 'c' });
  });

  it('writes routes that read back to themselves', () => {
    for (const hash of ['#/projects', '#/models', '#/project/p1', '#/project/p1/training', '#/project/p1/clip/c1', '#/project/p1/clip/c1?frame=0']) {
      expect(formatHashRoute(parseHashRoute(hash))).toBe(hash);
    }
  });

  it('keeps the page query (the access token) when building a URL for a route', () => {
    const url = urlWithRoute({ pathname: '/', search: '?token=abc' }, { screen: 'project', projectId: 'p', clipId: 'c', frameIndex: 4 });
    expect(url).toBe('/?token=abc#/project/p/clip/c?frame=4');
  });
});
