/**
 * restify loads spdy, whose http-deceiver reads process.binding('http_parser') as it loads, so
 * Node printed "[DEP0111] DeprecationWarning: Access to process.binding('http_parser') is
 * deprecated" twice at every start and in every test worker. Nobody running Seat Steward can act
 * on it (it is inside restify's dependencies and harmless on the Node versions we support), so
 * exactly that warning is dropped; every other warning, DEP0111 about other bindings included,
 * is still printed. Import this before restify.
 */
const INSTALLED = Symbol.for('seat-steward.silence-http-parser-deprecation');

type EmitWarning = (warning: string | Error, ...rest: unknown[]) => void;

export function isHttpParserDeprecation(warning: string | Error, rest: unknown[]): boolean {
  const [typeOrOptions, code] = rest;
  const warningCode =
    typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : code;
  const message = typeof warning === 'string' ? warning : warning.message;
  return warningCode === 'DEP0111' && message.includes("process.binding('http_parser')");
}

const holder = process as unknown as Record<symbol, boolean | undefined>;
if (!holder[INSTALLED]) {
  holder[INSTALLED] = true;
  const emit = process.emitWarning.bind(process) as EmitWarning;
  const filtered: EmitWarning = (warning, ...rest) => {
    if (!isHttpParserDeprecation(warning, rest)) emit(warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
}
