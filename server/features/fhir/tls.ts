import { readFileSync } from 'node:fs'
import type { ServerOptions } from 'node:https'
import type { Config } from '../../config.js'

/**
 * The https listener's options from the settings; undefined for plain http. With a client CA,
 * every connection is asked for a certificate but none is refused at the handshake: pages and
 * API stay open to browsers, and `/fhir/Slot` checks the certificate itself.
 */
export function httpsOptions (config: Pick<Config, 'tlsCert' | 'tlsKey' | 'tlsClientCa'>): ServerOptions | undefined {
  if (config.tlsCert === null || config.tlsKey === null) return undefined
  return {
    cert: readFileSync(config.tlsCert),
    key: readFileSync(config.tlsKey),
    minVersion: 'TLSv1.2',
    ...(config.tlsClientCa === null ? {} : { ca: readFileSync(config.tlsClientCa), requestCert: true, rejectUnauthorized: false })
  }
}
