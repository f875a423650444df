import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer, type Server, type ServerOptions } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { Config } from '../../config.js'

type TlsSettings = Pick<Config, 'tlsCert' | 'tlsKey' | 'tlsClientCa' | 'fhirTlsPort'>

function serverIdentity (config: TlsSettings & { tlsCert: string, tlsKey: string }): ServerOptions {
  return { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey), minVersion: 'TLSv1.2' }
}

/**
 * Ask for a client certificate but refuse none at the handshake: the route checks it and
 * answers a 401 OperationOutcome rather than a bare TLS alert.
 */
function askForClientCertificate (ca: string): ServerOptions {
  return { ca: readFileSync(ca), requestCert: true, rejectUnauthorized: false }
}

/**
 * The main listener's https options; undefined for plain http. It asks for client certificates
 * only when there is a client CA and no separate FHIR listener (`FHIR_TLS_PORT`): a browser
 * holding a CPS-card certificate would otherwise show a certificate prompt on every page.
 */
export function httpsOptions (config: TlsSettings): ServerOptions | undefined {
  if (config.tlsCert === null || config.tlsKey === null) return undefined
  const identity = serverIdentity({ ...config, tlsCert: config.tlsCert, tlsKey: config.tlsKey })
  if (config.tlsClientCa === null || config.fhirTlsPort !== null) return identity
  return { ...identity, ...askForClientCertificate(config.tlsClientCa) }
}

/** The options of the FHIR listener on `FHIR_TLS_PORT` (it asks for client certificates); undefined when there is none. */
export function fhirHttpsOptions (config: TlsSettings): ServerOptions | undefined {
  if (config.fhirTlsPort === null || config.tlsCert === null || config.tlsKey === null || config.tlsClientCa === null) return undefined
  return { ...serverIdentity({ ...config, tlsCert: config.tlsCert, tlsKey: config.tlsKey }), ...askForClientCertificate(config.tlsClientCa) }
}

/** Connections accepted by a listener that asks for client certificates. */
const certificateSockets = new WeakSet<TLSSocket>()

/** An https server; when it asks for client certificates, its connections are remembered as such. */
export function createHttpsListener (options: ServerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer(options, handler)
  if (options.requestCert === true) server.on('secureConnection', (socket: TLSSocket) => certificateSockets.add(socket))
  return server
}

/** True when this connection came through a listener that asks for client certificates. */
export function viaCertificateListener (socket: unknown): socket is TLSSocket {
  return typeof socket === 'object' && socket !== null && certificateSockets.has(socket as TLSSocket)
}
