import { describe, expect, it } from 'vitest';
import { absentSkeleton, jhmdbBones, jhmdbJointNames, nextVisibility, vipClassNames } from './annotationVocabulary.ts';

describe('annotation vocabulary', () => {
  it('has the 20 VIP classes with background first and the 15 JHMDB joints in file order', () => {
    expect(vipClassNames).toHaveLength(20);
    expect(vipClassNames[0]).toBe('background');
    expect(jhmdbJointNames).toHaveLength(15);
    expect(jhmdbJointNames.slice(0, 3)).toEqual(['neck', 'belly', 'face']);
    expect(jhmdbJointNames[14]).toBe('left ankle');
  });

  it('links every joint but the belly to its parent', () => {
    expect(jhmdbBones).toHaveLength(14);
    expect(jhmdbBones).toContainEqual([13, 9]);
    expect(jhmdbBones).toContainEqual([2, 0]);
  });

  it('cycles visibility visible → occluded → absent → visible', () => {
    expect(nextVisibility(2)).toBe(1);
    expect(nextVisibility(1)).toBe(0);
    expect(nextVisibility(0)).toBe(2);
    expect(absentSkeleton().every((joint) => joint.visibility === 0)).toBe(true);
  });
});
