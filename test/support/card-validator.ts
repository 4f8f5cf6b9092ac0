import type * as AC from 'adaptivecards';
import { TEAMS_CARD_MAX_BYTES } from '../../src/cards/view-models';

/**
 * The package's `main` (lib/) is ES-module source with extensionless imports ("./strings"),
 * which Node cannot resolve; the UMD bundle in dist/ loads fine, and parsing plus
 * validateProperties() never touch the DOM. The type-only import above keeps full typing.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the UMD bundle, as said above
const ac = require('adaptivecards/dist/adaptivecards.js') as typeof AC;

export { TEAMS_CARD_MAX_BYTES };

/** Teams renders Adaptive Cards up to 1.5 on every client (mobile included). */
export const TARGET_CARD_VERSION = '1.5';

export interface CardValidation {
  /** Every problem found, each naming where in the card it is (JSON path). Empty when the card is valid. */
  errors: string[];
  /** UTF-8 bytes of JSON.stringify(card): what Teams counts against its size limit. */
  bytes: number;
}

type JsonObject = Record<string, unknown>;

/**
 * Properties that the library parses by hand instead of declaring them in an object's schema;
 * without this list they would look like unknown properties. The library skips a collection
 * that is not an array (or an item that is not an object) without a word, so their shape is
 * checked here too.
 */
const HAND_PARSED_KEYS: Readonly<Record<string, Readonly<Record<string, 'array' | 'object'>>>> = {
  AdaptiveCard: { body: 'array', actions: 'array', msteams: 'object' },
  Container: { items: 'array' },
  Column: { items: 'array' },
  ColumnSet: { columns: 'array' },
  ActionSet: { actions: 'array' },
  RichTextBlock: { inlines: 'array' },
  Table: { rows: 'array' },
  TableRow: { cells: 'array' },
  TableCell: { items: 'array' },
  Carousel: { pages: 'array' },
  CarouselPage: { items: 'array' },
  'Action.ShowCard': { card: 'object' },
};

/**
 * Properties the Adaptive Card schema requires but the library silently tolerates
 * (a TextBlock without text parses to an empty block instead of failing).
 */
const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  TextBlock: ['text'],
  TextRun: ['text'],
  Image: ['url'],
  ImageSet: ['images'],
  Media: ['sources'],
  FactSet: ['facts'],
  Container: ['items'],
  ActionSet: ['actions'],
  'Input.Text': ['id'],
  'Input.Number': ['id'],
  'Input.Date': ['id'],
  'Input.Time': ['id'],
  'Input.Toggle': ['id', 'title'],
  'Input.ChoiceSet': ['id'],
  'Action.OpenUrl': ['url'],
  'Action.ToggleVisibility': ['targetElements'],
  // Not required by the schema, but Seat Steward routes every invoke by verb and a button
  // without a title renders as an empty pill: both are bugs in a card of ours.
  'Action.Execute': ['verb', 'title'],
};

const elementRegistry = new ac.CardObjectRegistry<AC.CardElement>();
ac.GlobalRegistry.populateWithDefaultElements(elementRegistry);

const actionRegistry = new ac.CardObjectRegistry<AC.Action>();
ac.GlobalRegistry.populateWithDefaultActions(actionRegistry);
// Registered explicitly so validation never depends on what other code did to the global registry.
if (actionRegistry.findByName(ac.ExecuteAction.JsonTypeName) === undefined) {
  actionRegistry.register(ac.ExecuteAction.JsonTypeName, ac.ExecuteAction, ac.Versions.v1_4);
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Maps every object in the card to its JSON path so messages say where the problem is. */
function indexPaths(node: unknown, path: string, into: WeakMap<object, string>): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => indexPaths(item, `${path}[${i}]`, into));
  } else if (isJsonObject(node)) {
    into.set(node, path);
    for (const [key, value] of Object.entries(node)) indexPaths(value, `${path}.${key}`, into);
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * The library drops or coerces values of the wrong JSON type without a word (`"wrap": "yes"`,
 * `"text": 5`); Teams is stricter, so those are reported here.
 */
function expectedJsonType(property: AC.PropertyDefinition): 'string' | 'boolean' | 'number' | undefined {
  switch (property.constructor) {
    case ac.StringProperty:
      return 'string';
    case ac.BoolProperty:
      return 'boolean';
    case ac.NumProperty:
      return 'number';
    default:
      return undefined;
  }
}

function checkShape(value: unknown, shape: 'array' | 'object', what: string, where: string, errors: string[]): void {
  if (value === undefined) return;
  if (shape === 'object') {
    if (!isJsonObject(value)) errors.push(`${where}: ${what} must be an object, got ${describeType(value)}`);
    return;
  }
  if (!Array.isArray(value)) {
    errors.push(`${where}: ${what} must be an array, got ${describeType(value)}`);
    return;
  }
  value.forEach((item: unknown, i) => {
    if (!isJsonObject(item)) errors.push(`${where}: ${what}[${i}] must be an object, got ${describeType(item)}`);
  });
}

function checkAgainstSchema(
  object: AC.SerializableObject,
  typeName: string,
  source: JsonObject,
  where: string,
  errors: string[],
): void {
  const schema = object.getSchema();
  const handParsed = HAND_PARSED_KEYS[typeName] ?? {};
  const known = new Set<string>(['type', 'fallback', ...Object.keys(handParsed)]);
  for (const [key, shape] of Object.entries(handParsed)) {
    checkShape(source[key], shape, `${typeName}.${key}`, where, errors);
  }
  for (let i = 0; i < schema.getCount(); i++) {
    const property = schema.getItemAt(i);
    known.add(property.name);
    const value = source[property.name];
    if (property instanceof ac.SerializableObjectCollectionProperty) {
      checkShape(value, 'array', `${typeName}.${property.name}`, where, errors);
    }
    const expected = expectedJsonType(property);
    if (value !== undefined && expected !== undefined && typeof value !== expected) {
      errors.push(`${where}: ${typeName}.${property.name} must be a ${expected}, got ${describeType(value)}`);
    }
  }
  for (const key of Object.keys(source)) {
    if (!known.has(key)) errors.push(`${where}: unknown property "${key}" on ${typeName}`);
  }
  for (const key of REQUIRED_KEYS[typeName] ?? []) {
    const value = source[key];
    if (value === undefined || value === null) {
      errors.push(`${where}: ${typeName} is missing required property "${key}"`);
    }
  }
}

function checkFacts(source: JsonObject, where: string, errors: string[]): void {
  const facts = source['facts'];
  if (!Array.isArray(facts)) return;
  if (facts.length === 0) errors.push(`${where}: FactSet.facts is empty`);
  facts.forEach((fact: unknown, i) => {
    const at = `${where}.facts[${i}]`;
    if (!isJsonObject(fact)) return; // already reported by checkShape
    checkAgainstSchema(new ac.Fact(), 'Fact', fact, at, errors);
    for (const key of ['title', 'value']) {
      if (fact[key] === undefined || fact[key] === null)
        errors.push(`${at}: Fact is missing required property "${key}"`);
    }
  });
}

function formatEvent(event: AC.IValidationEvent, where: string | undefined): string {
  const phase = ac.ValidationPhase[event.phase] ?? String(event.phase);
  const kind = ac.ValidationEvent[event.event] ?? String(event.event);
  return `${where ?? '$'}: [${phase}] ${kind}: ${event.message}`;
}

/**
 * Teams' chart elements, which the adaptivecards library does not know. Each is checked here
 * against the shape Teams renders (a wrong key such as `label` for `legend` fails silently in
 * Teams: the legend reads "Unknown"), then hidden from the library as a plain TextBlock.
 */
const CHART_COMMON = [
  'type',
  'id',
  'title',
  'colorSet',
  'spacing',
  'separator',
  'isVisible',
  'height',
  'horizontalAlignment',
  'fallback',
];
type ItemCheck = (item: JsonObject, at: string, errors: string[]) => void;
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const keysOnly = (item: JsonObject, allowed: string[], what: string, at: string, errors: string[]) => {
  for (const key of Object.keys(item))
    if (!allowed.includes(key)) errors.push(`${at}: unknown property "${key}" on a ${what}`);
};
const legendValue: ItemCheck = (item, at, errors) => {
  keysOnly(item, ['legend', 'value', 'color'], 'chart data point', at, errors);
  if (typeof item['legend'] !== 'string') errors.push(`${at}: a chart data point needs a string "legend"`);
  if (!isNum(item['value'])) errors.push(`${at}: a chart data point needs a number "value"`);
};
const xy: ItemCheck = (item, at, errors) => {
  keysOnly(item, ['x', 'y', 'color', 'legend'], 'chart data point', at, errors);
  if (typeof item['x'] !== 'string' && !isNum(item['x'])) errors.push(`${at}: a chart data point needs "x"`);
  if (!isNum(item['y'])) errors.push(`${at}: a chart data point needs a number "y"`);
};
const series: ItemCheck = (item, at, errors) => {
  keysOnly(item, ['legend', 'values', 'color'], 'chart series', at, errors);
  if (typeof item['legend'] !== 'string') errors.push(`${at}: a chart series needs a string "legend"`);
  const values = item['values'];
  if (!Array.isArray(values)) errors.push(`${at}: a chart series needs a "values" array`);
  else
    values.forEach((v: unknown, i) =>
      isJsonObject(v) ? xy(v, `${at}.values[${i}]`, errors) : errors.push(`${at}.values[${i}]: must be an object`),
    );
};
const loose: ItemCheck = () => undefined;
export const TEAMS_CHART_TYPES: Readonly<
  Record<string, { props: string[]; dataKey?: string; item?: ItemCheck; required?: string[] }>
> = {
  'Chart.Donut': { props: ['data'], dataKey: 'data', item: legendValue },
  'Chart.Pie': { props: ['data'], dataKey: 'data', item: legendValue },
  'Chart.Line': { props: ['data', 'xAxisTitle', 'yAxisTitle'], dataKey: 'data', item: series },
  'Chart.VerticalBar': { props: ['data', 'xAxisTitle', 'yAxisTitle', 'showBarValues'], dataKey: 'data', item: xy },
  'Chart.VerticalBar.Grouped': {
    props: ['data', 'xAxisTitle', 'yAxisTitle', 'showBarValues', 'stacked'],
    dataKey: 'data',
    item: loose,
  },
  'Chart.HorizontalBar': { props: ['data', 'xAxisTitle', 'yAxisTitle', 'displayMode'], dataKey: 'data', item: loose },
  'Chart.HorizontalBar.Stacked': { props: ['data', 'xAxisTitle', 'yAxisTitle'], dataKey: 'data', item: loose },
  'Chart.Gauge': {
    props: ['value', 'min', 'max', 'subLabel', 'valueFormat', 'segments', 'showLegend', 'showMinMax'],
    required: ['value', 'segments'],
  },
};

function checkCharts(node: unknown, path: string, errors: string[]): unknown {
  if (Array.isArray(node)) return node.map((item, i) => checkCharts(item, `${path}[${i}]`, errors));
  if (!isJsonObject(node)) return node;
  const type = node['type'];
  const chart = typeof type === 'string' ? TEAMS_CHART_TYPES[type] : undefined;
  if (chart && typeof type === 'string') {
    keysOnly(node, [...CHART_COMMON, ...chart.props], type, path, errors);
    for (const key of chart.required ?? [])
      if (node[key] === undefined) errors.push(`${path}: ${type} is missing required property "${key}"`);
    if (chart.dataKey) {
      const data = node[chart.dataKey];
      if (!Array.isArray(data))
        errors.push(`${path}: ${type}.${chart.dataKey} must be an array, got ${describeType(data)}`);
      else
        data.forEach((item: unknown, i) =>
          isJsonObject(item)
            ? chart.item?.(item, `${path}.${chart.dataKey}[${i}]`, errors)
            : errors.push(`${path}.${chart.dataKey}[${i}]: must be an object`),
        );
    }
    if (type === 'Chart.Gauge') {
      for (const key of ['value', 'min', 'max'])
        if (node[key] !== undefined && !isNum(node[key])) errors.push(`${path}: Chart.Gauge.${key} must be a number`);
      const segments = node['segments'];
      if (Array.isArray(segments))
        segments.forEach((seg: unknown, i) =>
          isJsonObject(seg)
            ? legendSize(seg, `${path}.segments[${i}]`, errors)
            : errors.push(`${path}.segments[${i}]: must be an object`),
        );
    }
    return { type: 'TextBlock', text: type, ...(typeof node['id'] === 'string' ? { id: node['id'] } : {}) };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = checkCharts(value, `${path}.${key}`, errors);
  return out;
}

function legendSize(seg: JsonObject, at: string, errors: string[]): void {
  keysOnly(seg, ['legend', 'size', 'color'], 'gauge segment', at, errors);
  if (typeof seg['legend'] !== 'string') errors.push(`${at}: a gauge segment needs a string "legend"`);
  if (!isNum(seg['size'])) errors.push(`${at}: a gauge segment needs a number "size"`);
}

/**
 * Parses the card with the official adaptivecards library (Adaptive Cards 1.5, Teams' level)
 * and returns every problem: the library's parse events (unknown types, bad enum values,
 * properties newer than 1.5), its validateProperties() failures, plus the schema rules it
 * tolerates (unknown or mistyped properties, missing required ones) and the Teams size limit.
 */
export function validateCard(original: object): CardValidation {
  const errors: string[] = [];
  const bytes = Buffer.byteLength(JSON.stringify(original), 'utf8');
  // Same paths as the original: a chart is replaced in place.
  const card = checkCharts(original, '$', errors) as object;
  if (bytes >= TEAMS_CARD_MAX_BYTES) {
    errors.push(`$: card is ${bytes} bytes; Teams only accepts cards smaller than ${TEAMS_CARD_MAX_BYTES} bytes`);
  }
  if (!isJsonObject(card)) {
    errors.push(`$: a card must be a JSON object, got ${describeType(card)}`);
    return { errors, bytes };
  }
  if (card['type'] !== 'AdaptiveCard') {
    errors.push(`$: "type" must be "AdaptiveCard", got ${JSON.stringify(card['type']) ?? 'nothing'}`);
  }
  if (typeof card['version'] !== 'string') {
    errors.push(`$: "version" must be a string such as "${TARGET_CARD_VERSION}", got ${describeType(card['version'])}`);
  }

  const paths = new WeakMap<object, string>();
  indexPaths(card, '$', paths);
  const sourceOf = new WeakMap<AC.SerializableObject, JsonObject>();
  const parsed: Array<{ object: AC.CardObject; source: JsonObject }> = [];
  const remember = (object: AC.CardObject, source: unknown): void => {
    if (!isJsonObject(source)) return;
    sourceOf.set(object, source);
    parsed.push({ object, source });
  };

  const context = new ac.SerializationContext(ac.Versions.v1_5);
  context.setElementRegistry(elementRegistry);
  context.setActionRegistry(actionRegistry);
  context.onParseElement = (element: AC.CardElement, source: unknown) => remember(element, source);
  context.onParseAction = (action: AC.Action, source: unknown) => remember(action, source);

  const root = new ac.AdaptiveCard();
  let validationEvents: readonly AC.IValidationEvent[] = [];
  try {
    root.parse(card, context);
    validationEvents = root.validateProperties().validationEvents;
  } catch (error) {
    errors.push(
      `$: the adaptivecards library could not parse the card: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  sourceOf.set(root, card);

  const whereIs = (object: AC.SerializableObject | undefined): string | undefined => {
    const source = object === undefined ? undefined : sourceOf.get(object);
    return source === undefined ? undefined : paths.get(source);
  };
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    errors.push(formatEvent(event, whereIs(event.source)));
  }
  for (const event of validationEvents) errors.push(formatEvent(event, whereIs(event.source)));

  checkAgainstSchema(root, 'AdaptiveCard', card, '$', errors);
  for (const { object, source } of parsed) {
    const typeName = object.getJsonTypeName();
    const where = paths.get(source) ?? typeName;
    checkAgainstSchema(object, typeName, source, where, errors);
    if (typeName === 'FactSet') checkFacts(source, where, errors);
  }
  return { errors, bytes };
}
