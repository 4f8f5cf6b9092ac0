/**
 * A reader for the subset of TMDL powerbi/ uses, written for the tests apart from the script that
 * writes the files: objects (`database`, `model`, `table`, `column`, `measure`, `partition`,
 * `relationship`, `expression`, `annotation`, `ref table`) nested by tab indentation, `name: value`
 * properties, bare flags (`isHidden`), `///` descriptions, and default expressions after `=`, on the
 * same line or as lines indented deeper than the object's properties. Throws on anything else, so
 * a file that drifts out of the subset fails loudly.
 */
export interface TmdlObject {
  type: string;
  name: string;
  /** The default expression (after `=`), multi-line ones dedented and trimmed. */
  value?: string;
  description?: string;
  props: Record<string, string | true>;
  children: TmdlObject[];
}

const OBJECT =
  /^(ref table|database|model|table|column|measure|partition|relationship|expression|annotation)\s+('(?:[^']|'')*'|[^\s=']+)\s*(?:=\s*(.*))?$/;
const PROPERTY = /^([A-Za-z]\w*)\s*(?::\s*(.*)|=\s*(.*))?$/;

const depthOf = (line: string) => /^\t*/.exec(line)?.[0].length ?? 0;
const unquote = (name: string) => (name.startsWith("'") ? name.slice(1, -1).replace(/''/g, "'") : name);

export function readTmdl(text: string): TmdlObject[] {
  if (/^ +\S/m.test(text)) throw new Error('TMDL reader: indentation must be tabs');
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const roots: TmdlObject[] = [];
  const stack: TmdlObject[] = [];
  let description: string[] = [];

  /** Lines after `i` indented deeper than `depth` + 1 (blank ones included): a multi-line expression. */
  const expressionAfter = (i: number, depth: number): { value: string; next: number } => {
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j += 1) {
      const l = lines[j];
      if (l.trim() !== '' && depthOf(l) <= depth + 1) break;
      body.push(l);
    }
    while (body.length > 0 && body[body.length - 1].trim() === '') body.pop();
    const cut = Math.min(...body.filter((l) => l.trim() !== '').map(depthOf));
    return { value: body.map((l) => l.slice(cut)).join('\n'), next: j };
  };

  for (let i = 0; i < lines.length;) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === '') {
      i += 1;
      continue;
    }
    const depth = depthOf(line);
    if (trimmed.startsWith('///')) {
      description.push(trimmed.slice(3).trim());
      i += 1;
      continue;
    }
    const object = OBJECT.exec(trimmed);
    if (object) {
      const node: TmdlObject = { type: object[1], name: unquote(object[2]), props: {}, children: [] };
      if (description.length > 0) node.description = description.join('\n');
      description = [];
      i += 1;
      if (object[3] !== undefined && object[3].trim() !== '') node.value = object[3].trim();
      else if (object[3] !== undefined) {
        const e = expressionAfter(i - 1, depth);
        node.value = e.value;
        i = e.next;
      }
      stack.length = depth;
      if (depth === 0) roots.push(node);
      else {
        const parent = stack[depth - 1];
        if (!parent) throw new Error(`TMDL reader: line ${i}: "${trimmed}" has no parent object`);
        parent.children.push(node);
      }
      stack[depth] = node;
      continue;
    }
    const property = PROPERTY.exec(trimmed);
    const owner = stack[depth - 1];
    if (!property || !owner || depth === 0) throw new Error(`TMDL reader: line ${i + 1} not understood: "${trimmed}"`);
    i += 1;
    if (property[2] !== undefined) owner.props[property[1]] = property[2].trim();
    else if (property[3] !== undefined && property[3].trim() !== '') owner.props[property[1]] = property[3].trim();
    else if (property[3] !== undefined) {
      const e = expressionAfter(i - 1, depth);
      owner.props[property[1]] = e.value;
      i = e.next;
    } else owner.props[property[1]] = true;
  }
  return roots;
}
