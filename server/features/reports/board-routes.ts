import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { CallsReport, SlotCalendar, SlotCalendarQuery } from '../../../shared/schemas/board.js'
import { SeasonReportQuery } from '../../../shared/schemas/reports.js'
import { WaitingListReport } from '../../../shared/schemas/waiting-list.js'
import { boardScope } from './board-scope.js'
import { callsReport } from './calls-report.js'
import { slotCalendar } from './report-calendar.js'
import { waitingListReport } from './waiting-list-report.js'

/**
 * The board's other reads beside the season report (reports-routes.ts): the slot calendar the
 * page's periods follow, and the calls report. Aggregates only; same scoping as the season
 * report (board-scope.ts).
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/reports/calendar', {
    schema: {
      tags: ['reports'],
      summary: 'Dates holding slots and the spans they form (the seasons the data holds), for the board\'s periods',
      querystring: SlotCalendarQuery,
      response: { 200: SlotCalendar }
    },
    onRequest: app.requireRole('board', 'admin')
  }, async (request) => await slotCalendar(app.db, { cptsId: await boardScope(app.db, request, request.query.cptsId), kind: request.query.kind }))

  app.get('/api/reports/calls', {
    schema: {
      tags: ['reports'],
      summary: 'Calls of a period by outcome, and the calls that found no slot, by commune, day and hour (aggregates only)',
      querystring: SeasonReportQuery,
      response: { 200: CallsReport }
    },
    onRequest: app.requireRole('board', 'admin')
  }, async (request) => await callsReport(app.db, { from: request.query.from, to: request.query.to, cptsId: await boardScope(app.db, request, request.query.cptsId), kind: request.query.kind }))

  app.get('/api/reports/waiting-list', {
    schema: {
      tags: ['reports'],
      summary: 'The waiting list of a period: requests made, recovered, expired, withdrawn; the wait to the booking; unmet demand before and after (aggregates only)',
      querystring: SeasonReportQuery,
      response: { 200: WaitingListReport }
    },
    onRequest: app.requireRole('board', 'admin')
  }, async (request) => await waitingListReport(app.db, { from: request.query.from, to: request.query.to, cptsId: await boardScope(app.db, request, request.query.cptsId), kind: request.query.kind }))
}

export default routes
