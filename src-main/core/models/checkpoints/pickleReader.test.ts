import { describe, expect, it } from 'vitest';
import { ModelError } from '../modelError.ts';
import { createGlobalResolver } from './pickleGlobals.ts';
import { PickleObject, readPickle } from './pickleReader.ts';
import { halfToFloat, tensorToFloat32, TorchTensor, type TorchStorage } from './torchTensor.ts';

// Pickles written by CPython 3.11's pickle module (hex), so the reader is checked against the real encoder.
const PICKLES = {
  /** {'a': [1, 2.5, None, True, False], 'b': (1, 'x'), 'big': 2**70, 'neg': -300, 'u': 'é', 's': {3}, 'n': 70000, 'f': frozenset(), 'by': b'\x00\x01'}, protocol 2 */
  containers2:
    '80027d71002858010000006171015d7102284b014740040000000000004e88896558010000006271034b015801000000787104867105580300000062696771068a0900000000000000004058030000006e656771074ad4feffff58010000007571085802000000c3a97109580100000073710a635f5f6275696c74696e5f5f0a7365740a710b5d710c4b036185710d52710e58010000006e710f4a701101005801000000667110635f5f6275696c74696e5f5f0a66726f7a656e7365740a71115d7112857113527114580200000062797115635f636f646563730a656e636f64650a711658020000000001711758060000006c6174696e31711886711952711a752e',
  /** {'a': [1, 2.5, None, True], 'b': (1, 'x'), 'big': 2**70, 'u': 'é'}, protocol 0 */
  containers0:
    '286470300a56610a70310a286c70320a49310a6146322e350a614e614930310a617356620a70330a2849310a56780a70340a7470350a73566269670a70360a4c313138303539313632303731373431313330333432344c0a7356750a70370a56e90a70380a732e',
  /** {'a': [1, 2], 'k': 'v', 'by': b'ab', 't': (None,)}, protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, SHORT_BINBYTES) */
  containers4: '8004952a000000000000007d94288c0161945d94284b014b02658c016b948c0176948c0262799443026162948c0174944e8594752e',
  /** argparse.Namespace(lr=0.1, name='x'), protocol 2 */
  namespace: '80026361726770617273650a4e616d6573706163650a7100298171017d71022858020000006c727103473fb999999999999a58040000006e616d657104580100000078710575622e',
  /** [np.float64(0.5), np.int64(7), np.float32(1.5)], protocol 2 */
  numpy:
    '80025d710028636e756d70792e636f72652e6d756c746961727261790a7363616c61720a7101636e756d70790a64747970650a71025802000000663871038988877104527105284b0358010000003c71064e4e4e4affffffff4affffffff4b0074710762635f636f646563730a656e636f64650a71085809000000000000000000c3a03f710958060000006c6174696e31710a86710b52710c86710d52710e6801680258020000006938710f8988877110527111284b0368064e4e4e4affffffff4affffffff4b00747112626808580800000007000000000000007113680a86711452711586711652711768016802580200000066347118898887711952711a284b0368064e4e4e4affffffff4affffffff4b0074711b62680858050000000000c3803f711c680a86711d52711e86711f527120652e',
  /** OrderedDict(a=1) with ._metadata = {'': {'version': 1}} (as every state_dict carries), protocol 2 */
  ordered:
    '800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710158010000006171024b01737d710358090000005f6d6574616461746171047d7105580000000071067d7107580700000076657273696f6e71084b01737373622e',
};

const FILE = '/checkpoints/example.pth';
const bytesOf = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const read = (hex: string) => readPickle(bytesOf(hex), 0, { findGlobal: createGlobalResolver(FILE) }, FILE).value;

describe('restricted unpickler', () => {
  it('reads protocol 2 containers, big integers, sets and latin1-encoded bytes', () => {
    const value = read(PICKLES.containers2) as Map<string, unknown>;
    expect(value.get('a')).toEqual([1, 2.5, null, true, false]);
    expect(value.get('b')).toEqual([1, 'x']);
    expect(Object.isFrozen(value.get('b'))).toBe(true);
    expect(value.get('big')).toBe(2n ** 70n);
    expect(value.get('neg')).toBe(-300);
    expect(value.get('n')).toBe(70000);
    expect(value.get('u')).toBe('é');
    expect(value.get('s')).toEqual(new Set([3]));
    expect(value.get('f')).toEqual(new Set());
    expect(value.get('by')).toEqual(Uint8Array.of(0, 1));
  });

  it('reads protocol 0 text opcodes and protocol 4 frames the same way', () => {
    const old = read(PICKLES.containers0) as Map<string, unknown>;
    expect(Object.fromEntries(old)).toEqual({ a: [1, 2.5, null, true], b: [1, 'x'], big: 2n ** 70n, u: 'é' });
    const framed = read(PICKLES.containers4) as Map<string, unknown>;
    expect(Object.fromEntries(framed)).toEqual({ a: [1, 2], k: 'v', by: Uint8Array.of(0x61, 0x62), t: [null] });
  });

  it('keeps argparse.Namespace as an inert placeholder with its fields', () => {
    const namespace = read(PICKLES.namespace);
    expect(namespace).toBeInstanceOf(PickleObject);
    expect((namespace as PickleObject).className).toBe('argparse.Namespace');
    expect((namespace as PickleObject).state).toEqual(new Map<string, unknown>([['lr', 0.1], ['name', 'x']]));
  });

  it('decodes numpy scalars to numbers', () => {
    expect(read(PICKLES.numpy)).toEqual([0.5, 7, 1.5]);
  });

  it('reads an OrderedDict and drops its _metadata attribute', () => {
    expect(read(PICKLES.ordered)).toEqual(new Map([['a', 1]]));
  });

  it('refuses os.system by name without calling anything', () => {
    const pickle = new TextEncoder().encode("cos\nsystem\n(S'touch /tmp/never'\ntR.");
    expect(() => readPickle(pickle, 0, { findGlobal: createGlobalResolver(FILE) }, FILE)).toThrowError(
      expect.objectContaining({ code: 'MODEL_UNSAFE_PICKLE', file: FILE, message: expect.stringMatching(/^\/checkpoints\/example\.pth: .*os\.system.*nothing was executed/) }),
    );
  });

  it('refuses calling an allowed type marker such as torch.FloatStorage', () => {
    const pickle = new TextEncoder().encode('ctorch\nFloatStorage\n(K\x05tR.');
    expect(() => readPickle(pickle, 0, { findGlobal: createGlobalResolver(FILE) }, FILE)).toThrowError(expect.objectContaining({ code: 'MODEL_UNSAFE_PICKLE' }));
  });

  it('reports a pickle cut short as truncated and an unknown opcode as invalid', () => {
    const bytes = bytesOf(PICKLES.containers2);
    const hooks = { findGlobal: createGlobalResolver(FILE) };
    expect(() => readPickle(bytes.subarray(0, 40), 0, hooks, FILE)).toThrowError(expect.objectContaining({ code: 'MODEL_TRUNCATED' }));
    expect(() => readPickle(Uint8Array.of(0x80, 0x02, 0xff), 0, hooks, FILE)).toThrowError(expect.objectContaining({ code: 'MODEL_SOURCE_INVALID' }));
    expect(() => readPickle(Uint8Array.of(0x80, 0x02, 0x4e, 0x4e, 0x2e), 0, hooks, FILE)).toThrowError(ModelError);
  });
});

describe('tensor decoding', () => {
  const storageOf = (dtype: TorchStorage['dtype'], values: ArrayLike<number | bigint>, bytes: Uint8Array): TorchStorage => ({ dtype, key: '0', elementCount: values.length, bytes: () => bytes });

  it('honours storage offset and strides', () => {
    const values = Float32Array.from({ length: 10 }, (_, index) => index);
    const storage = storageOf('float32', values, new Uint8Array(values.buffer));
    // A 2×3 transposed view starting at element 1: element [i][j] = storage[1 + i + 2j].
    const tensor = new TorchTensor(storage, 1, [2, 3], [1, 2]);
    expect([...tensorToFloat32(tensor, 'x', FILE)]).toEqual([1, 3, 5, 2, 4, 6]);
  });

  it('converts float16, float64 and int64 storages', () => {
    const half = Uint16Array.of(0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00);
    expect([...tensorToFloat32(new TorchTensor(storageOf('float16', half, new Uint8Array(half.buffer)), 0, [5], [1]), 'h', FILE)]).toEqual([
      1,
      -2,
      Math.fround(halfToFloat(0x3555)),
      Math.fround(2 ** -24),
      Infinity,
    ]);
    const double = Float64Array.of(0.25, -1e-3);
    expect([...tensorToFloat32(new TorchTensor(storageOf('float64', double, new Uint8Array(double.buffer)), 0, [2], [1]), 'd', FILE)]).toEqual([0.25, Math.fround(-1e-3)]);
    const long = BigInt64Array.of(12345n, -7n);
    expect([...tensorToFloat32(new TorchTensor(storageOf('int64', long, new Uint8Array(long.buffer)), 0, [2], [1]), 'n', FILE)]).toEqual([12345, -7]);
  });

  it('refuses a view that reads beyond its storage', () => {
    const values = new Float32Array(4);
    const tensor = new TorchTensor(storageOf('float32', values, new Uint8Array(values.buffer)), 2, [3], [1]);
    expect(() => tensorToFloat32(tensor, 'layer1.0.conv1.weight', FILE)).toThrowError(/layer1\.0\.conv1\.weight reads element 4 of a storage of 4/);
  });
});
