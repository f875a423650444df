import type { FastifyPluginAsync } from 'fastify'
import { searchsetBundle } from './bundle.js'
import { capabilityStatement } from './capability.js'
import { authorizeFhir, secretDigests, type FhirAccessPolicy } from './fhir-auth.js'
import { rawQuery, requireJson, sendFhir } from './fhir-reply.js'
import { cptsDirectory, defaultZone, findFreeSlots } from './fhir-repository.js'
import { FhirError } from './operation-outcome.js'
import { parseSlotSearch } from './search-params.js'

/** `GET /fhir/metadata` (public, by FHIR custom) and the SAS platform's `GET /fhir/Slot`. */
const searchRoutes: FastifyPluginAsync = async (app) => {
  const ctx = { publicUrl: app.config.publicUrl }
  const policy: FhirAccessPolicy = {
    requireClientCert: app.config.fhirRequireClientCert,
    certificate: { commonNames: app.config.fhirClientCertNames, units: app.config.fhirClientCertUnits },
    tokenDigests: secretDigests(app.config.fhirTokens)
  }

  app.get('/metadata', { schema: { hide: true } }, async (request, reply) => {
    requireJson(request)
    return sendFhir(reply, 200, capabilityStatement(ctx, app.clock.now()))
  })

  app.get('/Slot', { schema: { hide: true } }, async (request, reply) => {
    authorizeFhir(request, policy)
    requireJson(request)
    const query = rawQuery(request)
    const parsed = parseSlotSearch(query, await defaultZone(app.db))
    if (!parsed.ok) throw new FhirError(parsed.problem.status, parsed.problem.code, parsed.problem.message)
    const { search } = parsed
    const now = app.clock.now()
    const rows = await findFreeSlots(app.db, {
      from: search.from.toISOString(), to: search.to.toISOString(), now: now.toISOString(), rpps: search.rpps
    })
    const selfUrl = `${ctx.publicUrl}/fhir/Slot${query === '' ? '' : '?' + query}`
    const cpts = search.cpts && rows.length > 0 ? await cptsDirectory(app.db) : new Map()
    return sendFhir(reply, 200, searchsetBundle({ rows, cpts, search, ctx, selfUrl, now }))
  })
}

export default searchRoutes
