/**
 * A restricted unpickler for the pickles torch.save writes (protocol 2; protocols 0–4 opcodes are read too). It
 * never executes anything: GLOBAL only looks a name up in the caller's allow-list, and REDUCE/NEWOBJ/BUILD call
 * the TypeScript behaviour registered for that name. Values: None → null, bool, int → number (bigint beyond 2^53),
 * float → number, str → string, bytes → Uint8Array, list → array, tuple → frozen array, dict → Map, set → Set.
 */
// Long on purpose: one opcode switch; splitting it would scatter the stack discipline it shares.
import { ModelError } from '../modelError.ts';

/** A Python global the allow-list accepted. `call` runs for REDUCE/NEWOBJ/INST/OBJ; without it, calling fails. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: readonly unknown[]) => unknown,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An inert stand-in for an allowed object we do not model (argparse.Namespace, numpy arrays, torch.device). */
export class PickleObject {
  state: unknown = undefined;
  constructor(
    readonly className: string,
    readonly args: readonly unknown[],
  ) {}
}

export interface UnpicklerHooks {
  /** Resolves GLOBAL/STACK_GLOBAL; must throw (MODEL_UNSAFE_PICKLE) for names outside the allow-list. */
  findGlobal(module: string, name: string): PickleGlobal;
  /** BINPERSID/PERSID: torch's storage references. */
  persistentLoad?(id: unknown): unknown;
}

/** Reads one pickle from `bytes` at `offset`; returns its value and the offset just after its STOP opcode. */
export function readPickle(bytes: Uint8Array, offset: number, hooks: UnpicklerHooks, file: string): { value: unknown; end: number } {
  return new Unpickler(bytes, offset, hooks, file).load();
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

class Unpickler {
  private position: number;
  private readonly stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(
    private readonly bytes: Uint8Array,
    offset: number,
    private readonly hooks: UnpicklerHooks,
    private readonly file: string,
  ) {
    this.position = offset;
  }

  load(): { value: unknown; end: number } {
    for (;;) {
      const opcodeOffset = this.position;
      const opcode = this.byte();
      switch (opcode) {
        case 0x80: { // PROTO
          const protocol = this.byte();
          if (protocol > 5) this.fail(`pickle protocol ${protocol} is not supported`);
          break;
        }
        case 0x95: // FRAME (protocol 4): a length prefix only
          this.unsigned(8);
          break;
        case 0x2e: // STOP
          if (this.stack.length !== 1 || this.marks.length !== 0) this.fail('pickle stopped with an unbalanced stack');
          return { value: this.stack.pop(), end: this.position };
        case 0x28: // MARK
          this.marks.push(this.stack.length);
          break;
        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x4a: // BININT
          this.stack.push(this.view(4).getInt32(0, true));
          break;
        case 0x4b: // BININT1
          this.stack.push(this.byte());
          break;
        case 0x4d: // BININT2
          this.stack.push(this.unsigned(2));
          break;
        case 0x8a: // LONG1
          this.stack.push(this.long(this.byte()));
          break;
        case 0x8b: // LONG4
          this.stack.push(this.long(this.lengthOf(4)));
          break;
        case 0x49: { // INT (text): I01/I00 are True/False in protocol 0
          const text = this.line();
          this.stack.push(text === '01' ? true : text === '00' ? false : this.integerText(text));
          break;
        }
        case 0x4c: // LONG (text)
          this.stack.push(this.integerText(this.line().replace(/L$/, '')));
          break;
        case 0x47: // BINFLOAT (big-endian)
          this.stack.push(this.view(8).getFloat64(0, false));
          break;
        case 0x46: // FLOAT (text)
          this.stack.push(Number.parseFloat(this.line()));
          break;
        case 0x58: // BINUNICODE
          this.stack.push(utf8.decode(this.take(this.lengthOf(4))));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(utf8.decode(this.take(this.byte())));
          break;
        case 0x8d: // BINUNICODE8
          this.stack.push(utf8.decode(this.take(this.lengthOf(8))));
          break;
        case 0x56: // UNICODE (raw-unicode-escape text)
          this.stack.push(this.line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, short?: string, long?: string) => String.fromCodePoint(Number.parseInt(short ?? long!, 16))));
          break;
        case 0x54: // BINSTRING (Python 2 str): decoded as latin-1, which keeps ASCII keys as they are
          this.stack.push(latin1.decode(this.take(this.lengthOf(4))));
          break;
        case 0x55: // SHORT_BINSTRING
          this.stack.push(latin1.decode(this.take(this.byte())));
          break;
        case 0x53: // STRING (quoted repr text)
          this.stack.push(unquotePython2String(this.line(), (message) => this.fail(message)));
          break;
        case 0x42: // BINBYTES
          this.stack.push(new Uint8Array(this.take(this.lengthOf(4))));
          break;
        case 0x43: // SHORT_BINBYTES
          this.stack.push(new Uint8Array(this.take(this.byte())));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.stack.push(new Uint8Array(this.take(this.lengthOf(8))));
          break;
        case 0x29: // EMPTY_TUPLE
          this.stack.push(Object.freeze([]));
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: { // TUPLE3
          const count = opcode - 0x84;
          if (this.stack.length - this.floor() < count) this.fail('tuple of missing items');
          this.stack.push(Object.freeze(this.stack.splice(this.stack.length - count, count)));
          break;
        }
        case 0x74: // TUPLE
          this.stack.push(Object.freeze(this.popMark()));
          break;
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x6c: // LIST
          this.stack.push(this.popMark());
          break;
        case 0x7d: // EMPTY_DICT
          this.stack.push(new Map());
          break;
        case 0x64: { // DICT
          const items = this.popMark();
          this.stack.push(this.setItems(new Map(), items));
          break;
        }
        case 0x8f: // EMPTY_SET
          this.stack.push(new Set());
          break;
        case 0x91: // FROZENSET
          this.stack.push(new Set(this.popMark()));
          break;
        case 0x61: { // APPEND
          const value = this.pop();
          this.list(this.top()).push(value);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          this.list(this.top()).push(...items);
          break;
        }
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const target = this.top();
          if (!(target instanceof Set)) this.fail('ADDITEMS on something that is not a set');
          for (const item of items) target.add(item);
          break;
        }
        case 0x73: { // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x30: // POP
          if (this.stack.length > this.floor()) this.stack.pop();
          else this.popMark();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.stack.push(this.top());
          break;
        case 0x71: // BINPUT
          this.memo.set(this.byte(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.unsigned(4), this.top());
          break;
        case 0x70: // PUT
          this.memo.set(this.integer(this.line()), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
          this.stack.push(this.recall(this.byte()));
          break;
        case 0x6a: // LONG_BINGET
          this.stack.push(this.recall(this.unsigned(4)));
          break;
        case 0x67: // GET
          this.stack.push(this.recall(this.integer(this.line())));
          break;
        case 0x63: { // GLOBAL
          const module = this.line();
          const name = this.line();
          this.stack.push(this.hooks.findGlobal(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL without module and name strings');
          this.stack.push(this.hooks.findGlobal(module, name));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const callable = this.pop();
          this.stack.push(this.invoke(callable, args));
          break;
        }
        case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
          const args = this.pop();
          const cls = this.pop();
          this.stack.push(this.invoke(cls, args));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          const keywords = this.pop();
          const args = this.pop();
          const cls = this.pop();
          if (keywords instanceof Map && keywords.size > 0) this.fail('NEWOBJ_EX with keyword arguments');
          this.stack.push(this.invoke(cls, args));
          break;
        }
        case 0x69: { // INST (protocol 0)
          const module = this.line();
          const name = this.line();
          const args = this.popMark();
          this.stack.push(this.invoke(this.hooks.findGlobal(module, name), args));
          break;
        }
        case 0x6f: { // OBJ (protocol 1)
          const [cls, ...args] = this.popMark();
          this.stack.push(this.invoke(cls, args));
          break;
        }
        case 0x62: { // BUILD
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case 0x51: // BINPERSID
          this.stack.push(this.persistent(this.pop()));
          break;
        case 0x50: // PERSID
          this.stack.push(this.persistent(this.line()));
          break;
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: // EXT4
          throw new ModelError('MODEL_UNSAFE_PICKLE', `the pickle uses the copyreg extension registry (opcode 0x${opcode.toString(16)} at byte ${opcodeOffset}); not allowed`, this.file);
        default:
          this.fail(`unknown pickle opcode 0x${opcode.toString(16)} at byte ${opcodeOffset}`);
      }
    }
  }

  private invoke(callable: unknown, args: unknown): unknown {
    if (!(callable instanceof PickleGlobal)) this.fail('the pickle calls something that is not a global');
    if (!Array.isArray(args)) this.fail(`${callable.qualifiedName} is called without an argument tuple`);
    if (callable.call === undefined) {
      throw new ModelError('MODEL_UNSAFE_PICKLE', `the pickle calls ${callable.qualifiedName}, which may only appear as a type marker; nothing was executed`, this.file);
    }
    return callable.call(args);
  }

  /** BUILD: `__setstate__`. Inert objects keep the state; dict attributes (OrderedDict._metadata) are dropped. */
  private build(target: unknown, state: unknown): void {
    if (target instanceof PickleObject) target.state = state;
    else if (target instanceof Map || target instanceof Set || Array.isArray(target)) return;
    else if (target !== null && typeof target === 'object' && 'storage' in target) return; // tensor python state
    else this.fail('BUILD on a value that takes no state');
  }

  private persistent(id: unknown): unknown {
    if (this.hooks.persistentLoad === undefined) this.fail('persistent id in a pickle that has no storages');
    return this.hooks.persistentLoad(id);
  }

  private setItems(target: unknown, items: unknown[]): Map<unknown, unknown> {
    if (!(target instanceof Map)) this.fail('SETITEM on something that is not a dict');
    if (items.length % 2 !== 0) this.fail('SETITEMS with an odd number of items');
    for (let index = 0; index < items.length; index += 2) target.set(items[index], items[index + 1]);
    return target;
  }

  private list(target: unknown): unknown[] {
    if (!Array.isArray(target) || Object.isFrozen(target)) this.fail('APPEND on something that is not a list');
    return target;
  }

  private recall(index: number): unknown {
    if (!this.memo.has(index)) this.fail(`memo entry ${index} is read before it is written`);
    return this.memo.get(index);
  }

  private floor(): number {
    return this.marks.at(-1) ?? 0;
  }

  private pop(): unknown {
    if (this.stack.length <= this.floor()) this.fail('stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length <= this.floor()) this.fail('stack underflow');
    return this.stack.at(-1);
  }

  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail('an opcode needs a MARK that is not there');
    return this.stack.splice(mark);
  }

  private take(length: number): Uint8Array {
    if (this.position + length > this.bytes.length) {
      throw new ModelError('MODEL_TRUNCATED', `the pickle ends early: needs ${length} bytes at byte ${this.position} of ${this.bytes.length}`, this.file);
    }
    const slice = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return slice;
  }

  private byte(): number {
    return this.take(1)[0]!;
  }

  private view(length: number): DataView {
    const slice = this.take(length);
    return new DataView(slice.buffer, slice.byteOffset, length);
  }

  private unsigned(length: 2 | 4 | 8): number {
    const view = this.view(length);
    if (length === 2) return view.getUint16(0, true);
    if (length === 4) return view.getUint32(0, true);
    const value = view.getBigUint64(0, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('a length beyond 2^53');
    return Number(value);
  }

  /** A length prefix; `take` checks it against the bytes left, so a corrupt length reads as truncation. */
  private lengthOf(bytes: 4 | 8): number {
    return this.unsigned(bytes);
  }

  /** Little-endian two's complement of `length` bytes. */
  private long(length: number): number | bigint {
    const data = this.take(length);
    let value = 0n;
    for (let index = length - 1; index >= 0; index--) value = (value << 8n) | BigInt(data[index]!);
    if (length > 0 && data[length - 1]! & 0x80) value -= 1n << BigInt(8 * length);
    return toNumberIfSafe(value);
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw new ModelError('MODEL_TRUNCATED', `the pickle ends inside a text opcode at byte ${this.position}`, this.file);
    const text = latin1.decode(this.bytes.subarray(this.position, end));
    this.position = end + 1;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  private integerText(text: string): number | bigint {
    if (!/^[+-]?\d+$/.test(text)) this.fail(`"${text}" is not an integer`);
    return toNumberIfSafe(BigInt(text));
  }

  private integer(text: string): number {
    const value = this.integerText(text);
    if (typeof value !== 'number') this.fail(`memo index ${text} is too large`);
    return value;
  }

  private fail(message: string): never {
    throw new ModelError('MODEL_SOURCE_INVALID', `malformed pickle: ${message}`, this.file);
  }
}

function toNumberIfSafe(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Protocol 0 STRING: a Python 2 repr in single or double quotes with backslash escapes. */
function unquotePython2String(text: string, fail: (message: string) => never): string {
  const quote = text[0];
  if ((quote !== "'" && quote !== '"') || text.length < 2 || text.at(-1) !== quote) fail(`STRING ${text.slice(0, 40)} is not quoted`);
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
  return text.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, code: string) => (code.length === 3 ? String.fromCharCode(Number.parseInt(code.slice(1), 16)) : (escapes[code] ?? `\\${code}`)));
}
