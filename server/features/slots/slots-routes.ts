import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Id } from '../../../shared/schemas/common.js'
import {
  Booking, BookingBody, BookingQuery, BookingSearchQuery, CancelBody, CreateSeriesBody, CreateSlotBody, HoldResult, MoveBody, MoveResult, OutcomeBody,
  SeriesResult, Slot, SlotQuery, WithdrawManyBody, WithdrawManyResult
} from '../../../shared/schemas/slots.js'
import { currentUser } from '../../plugins/auth.js'
import { recordedCommunes } from '../calls/recorded-communes.js'
import { actorOf } from '../session/actor.js'

const IdParams = z.object({ id: Id })

const routes: FastifyPluginAsyncZod = async (app) => {
  const signedIn = app.requireRole('admin', 'practitioner', 'regulator')

  app.post('/api/slots', {
    schema: { tags: ['slots'], summary: 'Publish one slot', body: CreateSlotBody, response: { 201: Slot } },
    onRequest: app.requireRole('practitioner', 'admin')
  }, async (request, reply) => reply.status(201).send(await app.slots.publishing.publish(actorOf(request), request.body)))

  app.post('/api/slots/series', {
    schema: { tags: ['slots'], summary: 'Publish a series of slots (dryRun: preview only)', body: CreateSeriesBody, response: { 200: SeriesResult, 201: SeriesResult } },
    onRequest: app.requireRole('practitioner', 'admin')
  }, async (request, reply) => {
    const result = await app.slots.publishing.publishSeries(actorOf(request), request.body)
    return reply.status(request.body.dryRun === true ? 200 : 201).send(result)
  })

  app.get('/api/slots', {
    schema: { tags: ['slots'], summary: 'Slots (default: not yet ended)', querystring: SlotQuery, response: { 200: z.array(Slot) } },
    onRequest: signedIn
  }, async (request) => await app.slots.reads.listSlots(actorOf(request), request.query))

  app.delete('/api/slots/:id', {
    schema: { tags: ['slots'], summary: 'Withdraw a slot that is not booked', params: IdParams, response: { 200: Slot } },
    onRequest: app.requireRole('practitioner', 'admin')
  }, async (request) => await app.slots.publishing.withdraw(actorOf(request), request.params.id))

  app.post('/api/slots/withdrawals', {
    schema: {
      tags: ['slots'],
      summary: 'Withdraw a series, a day, or a day of a series in one action (not started; booked slots are kept and listed)',
      body: WithdrawManyBody,
      response: { 200: WithdrawManyResult }
    },
    onRequest: app.requireRole('practitioner', 'admin')
  }, async (request) => await app.slots.publishing.withdrawMany(actorOf(request), request.body))

  app.post('/api/slots/:id/hold', {
    schema: { tags: ['live booking'], summary: 'Hold a slot while on the phone (again: extends)', params: IdParams, response: { 200: HoldResult } },
    onRequest: app.requireRole('regulator')
  }, async (request) => await app.slots.holds.hold(actorOf(request), request.params.id))

  app.delete('/api/slots/:id/hold', {
    schema: { tags: ['live booking'], summary: 'Release your hold', params: IdParams, response: { 200: Slot } },
    onRequest: app.requireRole('regulator')
  }, async (request) => await app.slots.holds.release(actorOf(request), request.params.id))

  app.post('/api/slots/:id/booking', {
    schema: { tags: ['live booking'], summary: 'Book a free slot or the slot you hold', params: IdParams, body: BookingBody, response: { 200: Booking, 201: Booking } },
    onRequest: app.requireRole('regulator')
  }, async (request, reply) => {
    const { booking, created } = await app.slots.bookings.book(actorOf(request), request.params.id, request.body)
    return reply.status(created ? 201 : 200).send(booking)
  })

  app.post('/api/bookings/:id/cancel', {
    schema: { tags: ['live booking'], summary: 'Cancel a booking (the slot is free again if not started)', params: IdParams, body: CancelBody, response: { 200: Booking } },
    onRequest: app.requireRole('regulator', 'practitioner', 'admin')
  }, async (request) => await app.slots.bookings.cancel(actorOf(request), request.params.id, request.body.reason))

  app.post('/api/bookings/:id/move', {
    schema: {
      tags: ['live booking'],
      summary: 'Move a booking to another slot in one step (the target claimed first, the old slot freed on commit)',
      description: 'Answers `{booking, previous}`: the new booking (same patient, new reference) and the old one, cancelled. The target taken meanwhile: 409 SLOT_TAKEN or SLOT_HELD, nothing changed.',
      params: IdParams,
      body: MoveBody,
      response: { 200: MoveResult }
    },
    onRequest: app.requireRole('regulator')
  }, async (request) => await app.slots.bookings.move(actorOf(request), request.params.id, request.body))

  app.get('/api/bookings/search', {
    schema: {
      tags: ['live booking'],
      summary: 'Live bookings by reference, patient name and/or birth date (a patient calls back)',
      description: '`q` mixes the reference (4 to 8 characters of it, as read out), name words and a birth date (JJ/MM/AAAA or YYYY-MM-DD); every part must match. At most 20, not yet ended. Audited. Each has `patientCommune` when the call that booked it (or the booking it was moved from) recorded the patient\'s commune.',
      querystring: BookingSearchQuery,
      response: { 200: z.array(Booking) }
    },
    onRequest: app.requireRole('regulator')
  }, async (request) => {
    const found = await app.slots.reads.findBookings(actorOf(request), request.query.q)
    // The commune the booking's call recorded: a move ranks the slots near the patient.
    const communes = await recordedCommunes(app.db, found.map((b) => b.id), currentUser(request).cptsId)
    return found.map((b) => communes.has(b.id) ? { ...b, patientCommune: communes.get(b.id)! } : b)
  })

  app.post('/api/bookings/:id/outcome', {
    schema: { tags: ['live booking'], summary: 'Record honored / no-show (after the slot starts)', params: IdParams, body: OutcomeBody, response: { 200: Booking } },
    onRequest: app.requireRole('practitioner', 'admin')
  }, async (request) => await app.slots.bookings.recordOutcome(actorOf(request), request.params.id, request.body.outcome))

  app.get('/api/bookings', {
    schema: { tags: ['live booking'], summary: 'Bookings (practitioner: own); patient identity for regulators and the practitioner', querystring: BookingQuery, response: { 200: z.array(Booking) } },
    onRequest: app.requireRole('practitioner', 'regulator', 'admin')
  }, async (request) => await app.slots.reads.listBookings(actorOf(request), request.query))
}

export default routes
