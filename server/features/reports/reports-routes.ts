import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { isPostgres } from '../../../db/dialect.js'
import { ImportRefused, SeasonImportQuery, SeasonImportResult, SeasonReport, SeasonReportQuery } from '../../../shared/schemas/reports.js'
import { forbidden, invalid } from '../../errors.js'
import { currentUser } from '../../plugins/auth.js'
import { findCpts } from '../cpts/cpts-repository.js'
import { actorOf } from '../session/actor.js'
import { seasonReport } from './report-repository.js'
import { importSeasonInWorker } from './import-in-worker.js'
import { ReportWorker } from './report-in-worker.js'
import { importSeason } from './season-import.js'

/** Files from this size on are imported in a worker thread (a small one is quicker in place). */
export const IMPORT_WORKER_MIN_BYTES = 256 * 1024

const routes: FastifyPluginAsyncZod = async (app) => {
  // Scoped to this plugin: only the import reads text/csv bodies, kept as one string.
  // On SQLite a report runs in a worker thread with a read-only connection of its own, so that
  // the event loop goes on serving holds and bookings meanwhile; on PostgreSQL it is another
  // connection's REPEATABLE READ READ ONLY transaction by nature.
  const reports = !isPostgres(app.db) && app.config.dbFile !== ':memory:' ? new ReportWorker(app.config.dbFile) : null
  if (reports !== null) app.addHook('onClose', async () => { await reports.close() })

  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: app.config.importBodyLimitBytes }, (_request, body, done) => { done(null, body) })

  app.get('/api/reports/season', {
    schema: {
      tags: ['reports'],
      summary: 'Season report: offered, booked, honored slots, by day, week, practitioner, CPTS, kind and hour (aggregates only)',
      querystring: SeasonReportQuery,
      response: { 200: SeasonReport }
    },
    onRequest: app.requireRole('board', 'admin')
  }, async (request, reply) => {
    const user = currentUser(request)
    let cptsId = request.query.cptsId
    // A board account attached to a CPTS sees that CPTS only.
    if (user.role === 'board' && user.cptsId !== null) {
      if (cptsId !== undefined && cptsId !== user.cptsId) throw forbidden('this board account sees only its own CPTS')
      cptsId = user.cptsId
    }
    if (cptsId !== undefined && await findCpts(app.db, cptsId) === undefined) {
      throw invalid([{ code: 'custom', path: ['cptsId'], message: 'unknown CPTS' }])
    }
    const scope = { from: request.query.from, to: request.query.to, cptsId, kind: request.query.kind }
    const majoration = { euros: app.config.majorationEuros, weeklyCap: app.config.majorationWeeklyCap }
    if (reports === null) return await seasonReport(app.db, scope, majoration)
    // Checked and serialised in the worker: the event loop only sends the text (fastify sends a
    // string with a JSON type as it is; the type provider only knows the object).
    const json = await reports.reportJson(scope, majoration)
    return await reply.type('application/json; charset=utf-8').send(json as unknown as SeasonReport)
  })

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
