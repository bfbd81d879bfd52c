import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Attribute values this builder knows how to encode. Integers are ONNX INT(S); use `{ float }` to force FLOAT. */
export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

/** A dimension of a graph input/output: a fixed size or a symbolic name (free size). */
export type Dimension = number | string;

/**
 * Collects nodes, initializers and graph inputs/outputs, then encodes an ONNX ModelProto (opset 13, IR 7).
 * Tensor names are plain strings; the builder only checks they are not defined twice.
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly definedNames = new Set<string>();
  private nodeCount = 0;

  addInput(name: string, shape: Dimension[]): string {
    this.define(name);
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  addOutput(name: string, shape: Dimension[], elementType: 'float32' | 'int64' = 'float32'): void {
    if (!this.definedNames.has(name)) throw new Error(`graph output ${name} is not produced by any node`);
    this.outputs.push(valueInfo(name, shape, elementType === 'int64' ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.FLOAT));
  }

  /** A float32 constant; `dims` row-major. */
  addFloatInitializer(name: string, dims: number[], values: Float32Array): string {
    this.define(name);
    const bytes = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
    return name;
  }

  /** An int64 constant (shapes, pads, slice bounds). */
  addInt64Initializer(name: string, dims: number[], values: number[]): string {
    this.define(name);
    const bytes = new Uint8Array(BigInt64Array.from(values.map((value) => BigInt(value))).buffer);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: bytes });
    return name;
  }

  /** Adds one node and returns its output names (given, or generated from the op type). */
  addNode(opType: string, inputs: string[], options: { outputs?: string[]; attributes?: Record<string, AttributeValue> } = {}): string[] {
    const outputs = options.outputs ?? [`${opType.toLowerCase()}_${this.nodeCount}`];
    for (const output of outputs) this.define(output);
    const attribute = Object.entries(options.attributes ?? {}).map(([name, value]) => encodeAttribute(name, value));
    this.nodes.push({ opType, input: inputs, output: outputs, name: `${opType}_${this.nodeCount}`, attribute });
    this.nodeCount++;
    return outputs;
  }

  /** Shorthand for single-output nodes. */
  add(opType: string, inputs: string[], attributes?: Record<string, AttributeValue>, output?: string): string {
    return this.addNode(opType, inputs, { attributes, outputs: output === undefined ? undefined : [output] })[0]!;
  }

  has(name: string): boolean {
    return this.definedNames.has(name);
  }

  /** Encodes the model; `metadata` goes to ModelProto.metadata_props (readable by onnxruntime's session metadata). */
  encode(graphName: string, metadata: Record<string, string> = {}, docString = ''): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'correspond',
      producerVersion: '1',
      docString,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private define(name: string): void {
    if (this.definedNames.has(name)) throw new Error(`tensor ${name} is defined twice`);
    this.definedNames.add(name);
  }
}

function valueInfo(name: string, shape: Dimension[], elemType: number = onnx.TensorProto.DataType.FLOAT): onnxProto.onnx.IValueInfoProto {
  const dim = shape.map((size) => (typeof size === 'number' ? { dimValue: size } : { dimParam: size }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function encodeAttribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: type.INT, i: value };
  if (typeof value === 'string') return { name, type: type.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: type.INTS, ints: value };
  if ('float' in value) return { name, type: type.FLOAT, f: value.float };
  return { name, type: type.FLOATS, floats: value.floats };
}
