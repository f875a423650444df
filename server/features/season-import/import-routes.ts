import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { isPostgres } from '../../../db/dialect.js'
import { ImportRefused, SeasonImportQuery, SeasonImportResult } from '../../../shared/schemas/reports.js'
import { actorOf } from '../session/actor.js'
import { importSeasonInWorker } from './import-in-worker.js'
import { undoRuns } from './import-journal.js'
import { importSeason } from './season-import.js'

/** Files from this size on are imported in a worker thread (a small one is quicker in place). */
export const IMPORT_WORKER_MIN_BYTES = 256 * 1024

const routes: FastifyPluginAsyncZod = async (app) => {
  // SQLite: an import whose process died half-way is undone before anyone reads (import-journal.ts).
  if (!isPostgres(app.db)) {
    const undone = await undoRuns(app.db, null)
    if (undone > 0) app.log.warn({ undone }, 'season import: unfinished imports undone')
  }
  // Scoped to this plugin: only the import reads text/csv bodies, kept as one string.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: app.config.importBodyLimitBytes }, (_request, body, done) => { done(null, body) })

  app.post('/api/import/season', {
    schema: {
      tags: ['reports'],
      summary: 'Import a past season (text/csv, header rpps,start,end,kind,mode,withdrawn_at,booked_at,outcome,has_treating_gp): all lines or none; ?dryRun=true checks it all and writes nothing (200)',
      consumes: ['text/csv'],
      querystring: SeasonImportQuery,
      body: z.string(),
      response: { 200: SeasonImportResult.describe('Dry run: what the import would write; nothing was written'), 201: SeasonImportResult, 400: ImportRefused.describe('Nothing was imported: every bad line is named in `errors`') }
    },
    bodyLimit: app.config.importBodyLimitBytes,
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    // On PostgreSQL the import is another connection's transaction by nature: no worker needed.
    const inWorker = request.body.length >= IMPORT_WORKER_MIN_BYTES && !isPostgres(app.db) && app.config.dbFile !== ':memory:'
    const dryRun = request.query.dryRun === 'true'
    const result = inWorker
      ? await importSeasonInWorker(app.config.dbFile, actorOf(request), request.body, app.clock.now(), dryRun)
      : await importSeason(app.db, actorOf(request), request.body, app.clock.now(), { dryRun })
    return reply.status(dryRun ? 200 : 201).send(result)
  })
}

export default routes
