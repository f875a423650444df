import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { BULK_HORIZON_DAYS, BULK_MAX_AGE_SECONDS, BULK_TYPES, bulkManifest, bulkResources, toNdjson, type BulkType } from './bulk-publish.js'
import { FHIR_NDJSON } from './codes.js'
import { findPublishedSlots } from './fhir-repository.js'
import { FhirError } from './operation-outcome.js'

/** Public files, meant to be polled and cached, by servers and browsers of any origin. */
function publicFile (reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', `public, max-age=${BULK_MAX_AGE_SECONDS}`)
    .header('access-control-allow-origin', '*')
    .header('cross-origin-resource-policy', 'cross-origin')
}

/** SMART Scheduling Links: `GET /fhir/$bulk-publish` and the NDJSON files it lists. */
const bulkRoutes: FastifyPluginAsync = async (app) => {
  const ctx = { publicUrl: app.config.publicUrl }

  app.get('/$bulk-publish', { schema: { hide: true } }, async (_request, reply) =>
    publicFile(reply).type('application/json; charset=utf-8').send(JSON.stringify(bulkManifest(ctx, app.clock.now()))))

  app.get<{ Params: { file: string } }>('/bulk/:file', { schema: { hide: true } }, async (request, reply) => {
    const type = BULK_TYPES.find((t) => request.params.file === `${t}.ndjson`)
    if (type === undefined) throw new FhirError(404, 'not-found', `No file ${request.params.file}: ${BULK_TYPES.map((t) => t + '.ndjson').join(', ')}`)
    return publicFile(reply).header('content-type', FHIR_NDJSON).send(await ndjson(type))
  })

  async function ndjson (type: BulkType): Promise<string> {
    const now = app.clock.now()
    const rows = await findPublishedSlots(app.db, {
      now: now.toISOString(),
      startBefore: new Date(now.getTime() + BULK_HORIZON_DAYS * 86_400_000).toISOString()
    })
    return toNdjson(bulkResources(type, rows, now))
  }
}

export default bulkRoutes
