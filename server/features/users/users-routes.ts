import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { CreateUserBody, PasswordResetBody, PasswordResetCheck, PasswordResetCheckBody, PasswordResetLink, UpdateUserBody, User } from '../../../shared/schemas/accounts.js'
import { Id } from '../../../shared/schemas/common.js'
import { currentUser } from '../../plugins/auth.js'
import { actorOf } from '../session/actor.js'
import { deactivateUser, reactivateUser, updateUser } from './account-service.js'
import { createPasswordReset, passwordResetIsValid, usePasswordReset } from './password-reset-service.js'
import { createUser, listUserViews } from './users-service.js'
import { publicUrlFor } from '../../lib/public-url.js'

const IdParams = z.object({ id: Id })
const UserReply = z.object({ user: User })
/** A deactivated practitioner's slots still to come: how many were withdrawn, how many are booked and kept. */
const DeactivateReply = UserReply.extend({ slots: z.object({ withdrawn: z.number().int(), kept: z.number().int() }).optional() })

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/api/users', {
    schema: { tags: ['users'], summary: 'Create an account (admin)', body: CreateUserBody },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    const user = await createUser(app.db, request.body, { id: currentUser(request).id, ip: request.ip }, app.clock.now())
    return reply.status(201).send({ user })
  })

  app.get('/api/users', {
    schema: { tags: ['users'], summary: 'Every account (admin)' },
    onRequest: app.requireRole('admin')
  }, async () => await listUserViews(app.db))

  app.patch('/api/users/:id', {
    schema: { tags: ['users'], summary: 'Edit an account: name, e-mail and the fields of its role (admin)', params: IdParams, body: UpdateUserBody, response: { 200: UserReply } },
    onRequest: app.requireRole('admin')
  }, async (request) => ({ user: await updateUser(app.db, request.params.id, request.body, actorOf(request), app.clock.now()) }))

  app.post('/api/users/:id/deactivate', {
    schema: { tags: ['users'], summary: 'Deactivate an account: no sign-in; its sessions, tokens and live sockets end at once; a practitioner\'s slots still to come are withdrawn, the booked ones kept and counted (admin)', params: IdParams, response: { 200: DeactivateReply } },
    onRequest: app.requireRole('admin')
  }, async (request) => {
    const actor = actorOf(request)
    const user = await deactivateUser(app.db, request.params.id, actor, app.clock.now())
    app.credentialEnded()
    if (user.role !== 'practitioner') return { user }
    // A second transaction (the slots' own, with their events): a regulator must not book a
    // slot of someone who no longer works with the CPTS. Booked slots stay, for the admin to handle.
    const { withdrawn, kept } = await app.slots.publishing.withdrawFutureOf(actor, user.id)
    return { user, slots: { withdrawn: withdrawn.length, kept: kept.length } }
  })

  app.post('/api/users/:id/reactivate', {
    schema: { tags: ['users'], summary: 'Reactivate an account (admin)', params: IdParams, response: { 200: UserReply } },
    onRequest: app.requireRole('admin')
  }, async (request) => ({ user: await reactivateUser(app.db, request.params.id, actorOf(request), app.clock.now()) }))

  app.post('/api/users/:id/password-reset', {
    schema: { tags: ['users'], summary: 'A one-time password-reset link for an account, shown once (admin)', params: IdParams, response: { 201: PasswordResetLink } },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    const link = await createPasswordReset(app.db, request.params.id, actorOf(request), app.clock.now(), publicUrlFor(app.config, request))
    return reply.status(201).send(link)
  })

  // POST, not GET: the link's secret stays out of URLs (and so out of access logs).
  app.post('/api/password-reset/check', {
    schema: { tags: ['users'], summary: 'Whether a reset link can still be used (spends nothing)', body: PasswordResetCheckBody, response: { 200: PasswordResetCheck } },
    config: { rateLimit: { max: app.config.loginRateLimit, timeWindow: '1 minute' } }
  }, async (request) => ({ valid: await passwordResetIsValid(app.db, request.body.token, app.clock.now()) }))

  app.post('/api/password-reset', {
    schema: { tags: ['users'], summary: 'Choose a new password with a reset link (works once; ends the account\'s sessions)', body: PasswordResetBody },
    config: { rateLimit: { max: app.config.loginRateLimit, timeWindow: '1 minute' } }
  }, async (request, reply) => {
    await usePasswordReset(app.db, request.body.token, request.body.password, app.clock.now(), request.ip)
    app.credentialEnded()
    return reply.status(204).send()
  })
}

export default routes
