import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import sjson from 'secure-json-parse'
import { jsonTooDeep } from '../../lib/json-depth.js'
import { MAX_JSON_DEPTH } from '../../plugins/request-guards.js'
import { authorizeFhir, secretDigests, type FhirAccessPolicy } from './fhir-auth.js'
import { rawQuery, sendFhir } from './fhir-reply.js'
import { fhirBase } from './fhir-types.js'
import { FhirError } from './operation-outcome.js'
import { parseConditionalIdentifier, parseRegulator, regulatorResource, type RegulatorInput } from './practitioner-regul.js'
import { createRegulator, upsertRegulator, type RegulatorWrite, type SasActor } from './regulator-service.js'
import { queryPairs } from './search-params.js'

/** The FHIR JSON media types (the SAS pages write the second): parsed as `application/json` is. */
const FHIR_JSON_TYPES = ['application/fhir+json', 'application/json+fhir']

/**
 * INT_R02, the regulator accounts the SAS platform manages: `POST /fhir/Practitioner` (create)
 * and `PUT /fhir/Practitioner?identifier=system|value` (conditional update, or create). Same
 * authentication as `/fhir/Slot` (the SAS certificate on the mTLS listener, or a `FHIR_TOKENS`
 * secret behind a proxy that ends TLS); a regulator's or admin's API token, which may search
 * slots, may not manage accounts.
 */
const regulatorRoutes: FastifyPluginAsync = async (app) => {
  const policy: FhirAccessPolicy = {
    requireClientCert: app.config.fhirRequireClientCert,
    certificate: { commonNames: app.config.fhirClientCertNames, units: app.config.fhirClientCertUnits },
    tokenDigests: secretDigests(app.config.fhirTokens)
  }

  app.addContentTypeParser(FHIR_JSON_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string
    const bad = (message: string): Error => Object.assign(new Error(message), { statusCode: 400 })
    if (text === '') { done(bad('the body is empty'), undefined); return }
    if (jsonTooDeep(text, MAX_JSON_DEPTH)) { done(bad(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined); return }
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }))
    } catch (err) {
      done(bad(`the body is not valid JSON: ${(err as Error).message}`), undefined)
    }
  })

  function sasActor (request: FastifyRequest): SasActor {
    const via = authorizeFhir(request, policy)
    if (via === 'api-token') throw new FhirError(403, 'forbidden', 'Only the SAS platform manages regulator accounts (its certificate, or a FHIR_TOKENS secret)')
    return { ip: request.ip, via }
  }

  function readRegulator (body: unknown): RegulatorInput {
    const parsed = parseRegulator(body)
    if (!parsed.ok) {
      const [first, ...more] = parsed.problems
      throw new FhirError(400, first?.code ?? 'invalid', first?.message ?? 'invalid Practitioner', [first, ...more].filter((p) => p !== undefined))
    }
    return parsed.input
  }

  function answer (reply: FastifyReply, written: RegulatorWrite): FastifyReply {
    if (written.disabled) app.credentialEnded()
    const resource = regulatorResource(written.id, written.state)
    const url = `${fhirBase({ publicUrl: app.config.publicUrl })}/Practitioner/${written.id}`
    if (written.status === 201) void reply.header('location', url)
    void reply.header('content-location', url)
    return sendFhir(reply, written.status, resource)
  }

  app.post('/Practitioner', { schema: { hide: true } }, async (request, reply) => {
    const actor = sasActor(request)
    const input = readRegulator(request.body)
    return answer(reply, await createRegulator(app.db, input, actor, app.clock.now()))
  })

  app.put('/Practitioner', { schema: { hide: true } }, async (request, reply) => {
    const actor = sasActor(request)
    const pairs = queryPairs(rawQuery(request))
    if (pairs === null) throw new FhirError(400, 'invalid', 'the query string holds a malformed percent-encoding')
    // The guide's page writes `Identifier=`, its CapabilityStatement `identifier=`.
    const values = pairs.filter(([k]) => k.toLowerCase() === 'identifier').map(([, v]) => v)
    const target = parseConditionalIdentifier(values)
    if (target === null) {
      throw new FhirError(400, 'required', 'PUT /Practitioner needs one identifier=urn:oid:1.2.250.1.71.4.2.1|<IDNPS> or identifier=urn:oid:1.2.250.1.213.3.6|<SAS identifier>')
    }
    const input = readRegulator(request.body)
    return answer(reply, await upsertRegulator(app.db, target, input, actor, app.clock.now()))
  })
}

export default regulatorRoutes
