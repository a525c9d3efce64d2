/**
 * Reading an OpenAPI 3.1 document in tests: its operations, the answer an operation documents for a
 * status (a `$ref` to components/responses followed), and validators of its schemas by JSON pointer,
 * compiled by ajv's JSON Schema 2020-12 dialect (the one OpenAPI 3.1 uses) in strict mode, so an unknown
 * keyword, a dangling `$ref` or an unknown format in the document fails the compile.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

export interface Operation {
  responses: Record<string, Answer | { $ref: string }>;
  requestBody?: { content: Record<string, { schema: object }> };
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  security?: unknown[];
  operationId?: string;
}
export interface Answer {
  description: string;
  headers?: Record<string, { schema: object }>;
  content?: Record<string, { schema: object }>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object>; responses?: Record<string, Answer>; securitySchemes: object };
  security?: unknown[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `METHOD path` the document describes, with its operation. */
export function operationsOf(
  doc: OpenApiDocument,
): Array<{ key: string; path: string; method: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
  );
}

/** JSON Pointer escaping of one segment. */
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export function documentChecker(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ allErrors: true });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  // The document is the schema resource its `#/components/…` references point into; its own
  // top-level fields are not schema keywords.
  ajv.addVocabulary(['openapi', 'info', 'paths', 'components', 'security']);
  ajv.addSchema(doc, 'doc');
  const at = (...segments: string[]): ValidateFunction => {
    const pointer = `doc#/${segments.map(escape).join('/')}`;
    const validate = ajv.getSchema(pointer);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    return validate;
  };
  /** The answer documented for `status`, and where it is (a components/responses reference followed). */
  const answer = (path: string, method: string, status: number): { answer: Answer; pointer: string[] } | undefined => {
    const documented = doc.paths[path][method].responses[String(status)];
    if (!documented) return undefined;
    if (!('$ref' in documented))
      return { answer: documented, pointer: ['paths', path, method, 'responses', String(status)] };
    const name = /^#\/components\/responses\/(.+)$/.exec(documented.$ref)![1];
    return { answer: doc.components.responses![name], pointer: ['components', 'responses', name] };
  };
  return {
    answer,
    /** Validates an answer body against the JSON schema documented for that status. */
    answerBody: (path: string, method: string, status: number) => {
      const found = answer(path, method, status)!;
      return at(...found.pointer, 'content', 'application/json', 'schema');
    },
    requestBody: (path: string, method: string) =>
      at('paths', path, method, 'requestBody', 'content', 'application/json', 'schema'),
    schema: (name: string) => at('components', 'schemas', name),
    errors: (validate: ValidateFunction) => ajv.errorsText(validate.errors),
  };
}
