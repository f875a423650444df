// Starts Créneaux: settings, database (migrated), first admin, then listen until a signal.
import { migrateToLatest } from '../db/migrate.js'
import { describeDatabase, openDatabase } from '../db/open.js'
import { buildApp } from './app.js'
import { bootstrapAdmin } from './bootstrap.js'
import { systemClock } from './clock.js'
import { loadConfig } from './config.js'
import { preloadCommunes } from './lib/communes.js'
import { fhirHttpsOptions, httpsOptions } from './features/fhir/tls.js'
import { listenForFhir, type FhirListener } from './features/fhir/fhir-listener.js'
import { listenForMetrics, type MetricsListener } from './features/ops/metrics-listener.js'

const config = loadConfig(process.env)
const db = openDatabase(config)
await migrateToLatest(db)
const admin = await bootstrapAdmin(db, config, systemClock.now())
// TLS_CERT/TLS_KEY: https here (TLS_CLIENT_CA adds mTLS for the SAS platform); else http, e.g. behind a proxy.
// With FHIR_TLS_PORT, only a second listener on that port asks for client certificates.
const https = httpsOptions(config)
const app = await buildApp({ config, db, clock: systemClock, logger: { level: config.logLevel }, ...(https === undefined ? {} : { https }) })

let fhirListener: FhirListener | null = null
let metricsListener: MetricsListener | null = null
let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    // The drain (README "Operating Créneaux"): whatever is still running, the process is gone within DRAIN_SECONDS.
    setTimeout(() => { app.log.warn(`drain: still running after DRAIN_SECONDS=${config.drainSeconds}: exiting`); process.exit(1) }, config.drainSeconds * 1000).unref()
    app.log.info(`${signal}: draining`)
    app.beginDrain()
      .then(async () => { await Promise.all([fhirListener?.close(), app.close()]) })
      .then(async () => { await metricsListener?.close(); await db.destroy(); console.log('Créneaux stopped: drained'); process.exit(0) }, (err) => { console.error(err); process.exit(1) })
  })
}

const address = await app.listen({ port: config.port, host: config.host })
const fhirHttps = fhirHttpsOptions(config)
if (fhirHttps !== undefined && config.fhirTlsPort !== null) fhirListener = await listenForFhir(app, fhirHttps, config.fhirTlsPort, config.host)
if (app.metrics !== null && config.metricsPort !== null) metricsListener = await listenForMetrics(app.metrics, config.metricsPort, config.host)
// The commune list takes ~0.4 s to parse: do it now rather than in the first regulator's request.
setImmediate(preloadCommunes)
const url = address.replace('[::1]', 'localhost').replace(/^http:/, https === undefined ? 'http:' : 'https:')
console.log(`\nCréneaux is running on ${url}  (database: ${describeDatabase(config)})`)
if (fhirListener !== null) console.log(`FHIR for the SAS platform, with client certificates (mTLS): ${fhirListener.url.replace('[::1]', 'localhost')}/fhir`)
if (metricsListener !== null) console.log(`Metrics (Prometheus): ${metricsListener.url}/metrics`)
if (admin !== null) {
  console.log(admin.generatedPassword === null
    ? `First start: admin account ${admin.email} created from ADMIN_EMAIL / ADMIN_PASSWORD.`
    : `First start: sign in at ${url}/connexion as ${admin.email} with the password ${admin.generatedPassword}\n(shown once; change it or set ADMIN_EMAIL and ADMIN_PASSWORD before the first start).`)
}
