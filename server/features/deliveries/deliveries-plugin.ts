import { readFileSync } from 'node:fs'
import fp from 'fastify-plugin'
import type { Config } from '../../config.js'
import type { DeliveryChannel } from './channel.js'
import { DeliveryWorker } from './delivery-worker.js'
import { mailChannel } from './mail-channel.js'
import { sasAppointmentChannel, type SasTls } from './sas-appointment-channel.js'

declare module 'fastify' {
  interface FastifyInstance {
    deliveries: DeliveryWorker
  }
}

/** The PEM files of the SAS mTLS settings, read once at start (a missing file stops the start). */
export function readSasTls (config: Pick<Config, 'sasClientCert' | 'sasClientKey' | 'sasCa'>): SasTls {
  const read = (setting: string, path: string | null): Buffer | undefined => {
    if (path === null) return undefined
    try {
      return readFileSync(path)
    } catch (err) {
      throw new Error(`${setting}: cannot read ${path} (${err instanceof Error ? err.message : String(err)})`)
    }
  }
  const cert = read('SAS_CLIENT_CERT', config.sasClientCert)
  const key = read('SAS_CLIENT_KEY', config.sasClientKey)
  const ca = read('SAS_CA', config.sasCa)
  if ((cert === undefined) !== (key === undefined)) throw new Error('SAS_CLIENT_CERT and SAS_CLIENT_KEY go together')
  return { ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}), ...(ca !== undefined ? { ca } : {}) }
}

/**
 * The delivery queue: e-mail notices (when SMTP_URL is set) and appointments to the SAS
 * platform (when SAS_FHIR_BASE_URL is set). A timer runs it every DELIVERY_POLL_MS;
 * `app.deliveries.runOnce()` runs it now (tests).
 */
export default fp(async (app) => {
  const c = app.config
  const channels: DeliveryChannel[] = []
  if (c.smtpUrl !== null) channels.push(mailChannel({ smtpUrl: c.smtpUrl, from: c.mailFrom, publicUrl: c.publicUrl }))
  if (c.sasFhirBaseUrl !== null) {
    channels.push(sasAppointmentChannel({ baseUrl: c.sasFhirBaseUrl, idSystem: c.sasAppointmentIdSystem, tls: readSasTls(c) }))
  }
  const worker = new DeliveryWorker({
    db: app.db,
    clock: app.clock,
    log: app.log.child({ feature: 'deliveries' }),
    channels
  })
  await worker.start()
  app.decorate('deliveries', worker)

  if (channels.length === 0) return
  const timer = setInterval(() => worker.tick(), c.deliveryPollMs)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await worker.close()
  })
}, { name: 'deliveries', dependencies: ['context'] })
