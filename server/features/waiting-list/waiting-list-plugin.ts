import fp from 'fastify-plugin'
import { WaitingList } from './waiting-list-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    waitingList: WaitingList
  }
}

/**
 * The waiting list over the slots' unit of work: its matcher runs in every slot change's
 * transaction (so `request.matched` is in the log, in seq, on every instance and in every
 * replay), and a sweeper on the server's clock ends the requests whose window has passed.
 */
export default fp(async (app) => {
  const { db, clock } = app
  const waitingList = new WaitingList({ db, clock, unitOfWork: app.slots.unitOfWork, bookings: app.slots.bookings, claimSeconds: app.config.holdSeconds })
  app.decorate('waitingList', waitingList)
  const unhook = app.slots.unitOfWork.beforeCommit(waitingList.matchHook)

  let sweeping: Promise<void> | null = null
  const timer = setInterval(() => {
    if (sweeping !== null) return
    sweeping = waitingList.expire().then(() => {}, (err: unknown) => app.log.error({ err }, 'waiting-list sweeper failed')).finally(() => { sweeping = null })
  }, app.config.holdSweepMs)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer); unhook(); await sweeping })
}, { name: 'waiting-list', dependencies: ['context', 'slots'] })
