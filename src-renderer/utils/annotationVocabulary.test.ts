import { describe, expect, it } from 'vitest';
import { absentJoints, absentSkeleton, hexToRgb, jhmdbBones, jhmdbJointNames, jointNamesOf, jointSideIn, nextVisibility, partClassesOf, skeletonBones, vipClassNames } from './annotationVocabulary.ts';

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

describe('an object\'s own skeleton and part set', () => {
  const set = {
    joints: ['nose', 'left ear', 'right ear', 'tail'].map((name) => ({ name, defaultVisibility: 2 as const })),
    edges: [[0, 1], [0, 2], [0, 3]] as Array<[number, number]>,
    flipPairs: [[1, 2]] as Array<[number, number]>,
    classes: [{ name: 'background', color: '#000000' }, { name: 'fin', color: '#ff8000' }],
  };

  it('draws the set\'s own bones and names, and colours the flip pairs as left and right', () => {
    expect(skeletonBones(set)).toEqual([[0, 1], [0, 2], [0, 3]]);
    expect(jointNamesOf(set)).toEqual(['nose', 'left ear', 'right ear', 'tail']);
    expect([0, 1, 2, 3].map((joint) => jointSideIn(set, joint))).toEqual(['centre', 'left', 'right', 'centre']);
    expect(absentJoints(4)).toHaveLength(4);
  });

  it('offers the part set\'s classes without the background, in their own colours', () => {
    expect(partClassesOf(set)).toEqual([{ id: 1, name: 'fin', color: '#ff8000' }]);
    expect(hexToRgb('#ff8000')).toEqual([255, 128, 0]);
  });
});
