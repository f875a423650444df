import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { isPostgres } from '../../../db/dialect.js'
import { SeasonReport, SeasonReportQuery } from '../../../shared/schemas/reports.js'
import { boardScope } from './board-scope.js'
import { seasonReport } from './report-repository.js'
import { ReportWorker } from './report-in-worker.js'

const routes: FastifyPluginAsyncZod = async (app) => {
  // On SQLite a report runs in a worker thread with a read-only connection of its own, so that
  // the event loop goes on serving holds and bookings meanwhile; on PostgreSQL it is another
  // connection's REPEATABLE READ READ ONLY transaction by nature.
  const reports = !isPostgres(app.db) && app.config.dbFile !== ':memory:' ? new ReportWorker(app.config.dbFile) : null
  if (reports !== null) app.addHook('onClose', async () => { await reports.close() })

  app.get('/api/reports/season', {
    schema: {
      tags: ['reports'],
      summary: 'Season report: offered, booked, honored slots, by day, week, practitioner, CPTS, kind and hour (aggregates only)',
      querystring: SeasonReportQuery,
      response: { 200: SeasonReport }
    },
    onRequest: app.requireRole('board', 'admin')
  }, async (request, reply) => {
    const scope = { from: request.query.from, to: request.query.to, cptsId: await boardScope(app.db, request, request.query.cptsId), kind: request.query.kind }
    const majoration = { euros: app.config.majorationEuros, weeklyCap: app.config.majorationWeeklyCap }
    if (reports === null) return await seasonReport(app.db, scope, majoration)
    // Checked and serialised in the worker: the event loop only sends the text (fastify sends a
    // string with a JSON type as it is; the type provider only knows the object).
    const json = await reports.reportJson(scope, majoration)
    return await reply.type('application/json; charset=utf-8').send(json as unknown as SeasonReport)
  })
}

export default routes
