import type { ServerOptions } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { createHttpsListener } from './tls.js'

export interface FhirListener {
  /** `https://host:port` it listens on. */
  url: string
  port: number
  /** Stops accepting connections and ends the idle ones; resolves once every connection is gone. */
  close: () => Promise<void>
}

/**
 * The second https listener of `FHIR_TLS_PORT`: it asks for client certificates (mTLS for the
 * SAS platform) and hands every request to the same Fastify app as the main listener, so that
 * the main one never asks browsers for a certificate. Call after `app.ready()`.
 */
export async function listenForFhir (app: FastifyInstance, options: ServerOptions, port: number, host: string): Promise<FhirListener> {
  const server = createHttpsListener(options, app.routing)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  const address = server.address() as AddressInfo
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `https://${shownHost}:${address.port}`,
    port: address.port,
    close: async () => await new Promise<void>((resolve, reject) => {
      server.close((err) => { if (err === undefined) resolve(); else reject(err) })
      server.closeIdleConnections()
    })
  }
}
