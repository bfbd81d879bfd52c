import { FormatError } from './formatError.ts';

/** One XML element: name, attributes (entities decoded), child elements and its direct text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** 1-based line of the start tag, for error messages. */
  line: number;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string, file: string, line: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (code > 0x10ffff) throw new FormatError('BAD_FILE', `line ${line}: character reference ${whole} is out of range`, file);
      return String.fromCodePoint(code);
    }
    const value = entities[body];
    if (value === undefined) throw new FormatError('BAD_FILE', `line ${line}: unknown entity ${whole}`, file);
    return value;
  });
}

/** Escapes text for an XML attribute value or element content. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&${Object.keys(entities).find((name) => entities[name] === c)};`);
}

/**
 * A small non-validating XML parser for the files we import (CVAT): elements, attributes, text, comments, CDATA,
 * processing instructions and a DOCTYPE without internal subset. Mismatched or unclosed tags are errors that give
 * the line. Input must be UTF-8 (checked by the caller).
 */
export function parseXml(text: string, file: string): XmlElement {
  const token = /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/\s*([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  const attribute = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let line = 1;
  let match: RegExpExecArray | null;
  while ((match = token.exec(text)) !== null) {
    const [whole, cdata, closing, opening, attributeText, selfClosing, chars, stray] = match;
    const startLine = line;
    for (let i = 0; i < whole.length; i++) if (whole.charCodeAt(i) === 10) line++;
    if (stray !== undefined) throw new FormatError('BAD_FILE', `line ${startLine}: malformed or cut-off tag`, file);
    if (chars !== undefined || cdata !== undefined) {
      const content = cdata ?? decodeEntities(chars!, file, startLine);
      if (stack.length > 0) stack[stack.length - 1].text += content;
      else if (content.trim()) throw new FormatError('BAD_FILE', `line ${startLine}: text outside the root element`, file);
      continue;
    }
    if (opening !== undefined) {
      const element: XmlElement = { name: opening, attributes: {}, children: [], text: '', line: startLine };
      for (const [, name, double, single] of (attributeText ?? '').matchAll(attribute)) {
        element.attributes[name] = decodeEntities(double ?? single ?? '', file, startLine);
      }
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) throw new FormatError('BAD_FILE', `line ${startLine}: a second root element <${opening}>`, file);
      else root = element;
      if (!selfClosing) stack.push(element);
      continue;
    }
    if (closing !== undefined) {
      const open = stack.pop();
      if (!open || open.name !== closing) {
        throw new FormatError('BAD_FILE', `line ${startLine}: </${closing}> does not close ${open ? `<${open.name}> of line ${open.line}` : 'any element'}`, file);
      }
    }
  }
  if (stack.length > 0) throw new FormatError('BAD_FILE', `the file ends inside <${stack[stack.length - 1].name}> of line ${stack[stack.length - 1].line} (truncated?)`, file);
  if (!root) throw new FormatError('BAD_FILE', 'no XML element in the file', file);
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}
