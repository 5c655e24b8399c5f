const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
/** Keywords whose value is one schema. */
const ONE_SCHEMA = ['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems', 'if', 'then', 'else'];
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const MAX_DEPTH = 32;

type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why a tool's input schema cannot be offered as it is, or null when it can. The root must be an
 * object schema (what MCP lists, and the model API takes), not a bare anyOf/oneOf/allOf (the CLI
 * would flatten it into another schema); below it, every keyword that holds schemas must hold
 * schemas, `type` must name JSON types, `required` list names, `enum` be a list.
 */
export function schemaProblem(schema: unknown): string | null {
  if (!isObject(schema)) return 'must be a JSON Schema object';
  if (schema.type !== 'object') return 'must have "type": "object" at its root';
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (schema[key] !== undefined) return `must not have ${key} at its root: the CLI would offer the model another schema`;
  }
  return problemIn(schema, '', 0);
}

function problemIn(schema: unknown, at: string, depth: number): string | null {
  const where = at === '' ? '' : ` at ${at}`;
  if (typeof schema === 'boolean') return null;
  if (!isObject(schema)) return `has a schema${where} that is not an object`;
  if (depth > MAX_DEPTH) return `nests deeper than ${MAX_DEPTH} levels`;
  const type = schema.type;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    if (types.length === 0 || !types.every((t) => typeof t === 'string' && TYPES.has(t))) return `has a "type"${where} that is not a JSON type`;
  }
  if (schema.required !== undefined && !(Array.isArray(schema.required) && schema.required.every((name) => typeof name === 'string'))) {
    return `has a "required"${where} that is not a list of names`;
  }
  if (schema.enum !== undefined && !Array.isArray(schema.enum)) return `has an "enum"${where} that is not a list`;
  for (const key of ONE_SCHEMA) {
    if (schema[key] === undefined) continue;
    // Draft 4 to 2019's tuple form of items: a list of schemas.
    const value = schema[key];
    const problem = key === 'items' && Array.isArray(value) ? listProblem(value, `${at}/items`, depth) : problemIn(value, `${at}/${key}`, depth + 1);
    if (problem !== null) return problem;
  }
  for (const key of SCHEMA_LISTS) {
    if (schema[key] === undefined) continue;
    if (!Array.isArray(schema[key])) return `has a "${key}"${where} that is not a list of schemas`;
    const problem = listProblem(schema[key], `${at}/${key}`, depth);
    if (problem !== null) return problem;
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (map === undefined) continue;
    if (!isObject(map)) return `has a "${key}"${where} that is not an object of schemas`;
    for (const [name, inner] of Object.entries(map)) {
      const problem = problemIn(inner, `${at}/${key}/${name}`, depth + 1);
      if (problem !== null) return problem;
    }
  }
  return null;
}

function listProblem(list: unknown[], at: string, depth: number): string | null {
  for (let i = 0; i < list.length; i++) {
    const problem = problemIn(list[i], `${at}/${i}`, depth + 1);
    if (problem !== null) return problem;
  }
  return null;
}
