import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyRequest } from 'fastify'
import { CallsReport, SlotCalendar, SlotCalendarQuery } from '../../../shared/schemas/board.js'
import { SeasonReportQuery } from '../../../shared/schemas/reports.js'
import { forbidden, invalid } from '../../errors.js'
import { currentUser } from '../../plugins/auth.js'
import { findCpts } from '../cpts/cpts-repository.js'
import { callsReport } from './calls-report.js'
import { slotCalendar } from './report-calendar.js'

/**
 * The board's other reads beside the season report (reports-routes.ts): the slot calendar the
 * page's periods follow, and the calls report. Aggregates only; same scoping as the season
 * report (a board account attached to a CPTS sees that CPTS only).
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  async function scoped (request: FastifyRequest, asked: string | undefined): Promise<string | undefined> {
    const user = currentUser(request)
    let cptsId = asked
    if (user.role === 'board' && user.cptsId !== null) {
      if (cptsId !== undefined && cptsId !== user.cptsId) throw forbidden('this board account sees only its own CPTS')
      cptsId = user.cptsId
    }
    if (cptsId !== undefined && await findCpts(app.db, cptsId) === undefined) {
      throw invalid([{ code: 'custom', path: ['cptsId'], message: 'unknown CPTS' }])
    }
    return cptsId
  }

  app.get('/api/reports/calendar', {
    schema: {
      tags: ['reports'],
      summary: 'Dates holding slots and the spans they form (the seasons the data holds), for the board\'s periods',
      querystring: SlotCalendarQuery,
      response: { 200: SlotCalendar }
    },
    onRequest: app.requireRole('board', 'admin')
  }, async (request) => await slotCalendar(app.db, { cptsId: await scoped(request, request.query.cptsId), kind: request.query.kind }))

  app.get('/api/reports/calls', {
    schema: {
      tags: ['reports'],
      summary: 'Calls of a period by outcome, and the calls that found no slot, by commune, day and hour (aggregates only)',
      querystring: SeasonReportQuery,
      response: { 200: CallsReport }
    },
    onRequest: app.requireRole('board', 'admin')
  }, async (request) => await callsReport(app.db, { from: request.query.from, to: request.query.to, cptsId: await scoped(request, request.query.cptsId), kind: request.query.kind }))
}

export default routes
